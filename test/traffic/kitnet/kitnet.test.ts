import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AFTERIMAGE_FEATURE_COUNT, AfterImage, afterImageSpec } from "../../../src/traffic/features/afterimage/index.js";
import { ModelFileError, mulberry32, parseModelFile } from "../../../src/traffic/models/common/index.js";
import { Autoencoder, CorrelationMapper, KitNET, clusterByDistance, fitThreshold, kitnetFromModelFile, kitnetToModelFile, loadKitnetModel, saveKitnetModel, scoreSummary } from "../../../src/traffic/models/kitnet/index.js";
import { auc, syntheticTraffic } from "./synthetic.js";

describe("autoencoder", () => {
  it("learns to reconstruct a fixed synthetic set: the error drops during training", () => {
    const random = mulberry32(3);
    // 200 samples of 8 correlated features (two latent factors), so an identity-ish mapping exists.
    const data = Array.from({ length: 200 }, () => {
      const a = random();
      const b = random();
      return Float64Array.from([a, b, a * 0.5 + 0.2, b * 0.8, (a + b) / 2, 1 - a, 1 - b, a * b]);
    });
    const ae = Autoencoder.create(8, 0.75, 0.1, mulberry32(1));
    expect(ae.hidden).toBe(6);
    const epochError = () => data.reduce((s, x) => s + ae.execute(x), 0) / data.length;
    for (const x of data) ae.train(x); // sets min/max
    const before = epochError();
    for (let epoch = 0; epoch < 300; epoch++) for (const x of data) ae.train(x);
    const after = epochError();
    expect(after).toBeLessThan(before * 0.5);
  });
});

describe("feature mapper", () => {
  it("groups correlated features and never makes a cluster larger than m", () => {
    const random = mulberry32(5);
    const mapper = new CorrelationMapper(30);
    for (let s = 0; s < 500; s++) {
      const latent = [random(), random(), random()];
      // Feature i follows latent factor i % 3 plus a little noise; feature 29 is constant.
      mapper.update(Float64Array.from({ length: 30 }, (_, i) => (i === 29 ? 1 : latent[i % 3]! + 0.01 * random())));
    }
    expect(mapper.distance(0, 3)).toBeLessThan(0.01);
    expect(mapper.distance(0, 1)).toBeGreaterThan(0.5);
    expect(mapper.distance(29, 0)).toBe(1);
    for (const m of [1, 3, 4, 10, 30]) {
      const clusters = mapper.clusters(m);
      expect(clusters.every((c) => c.length >= 1 && c.length <= m)).toBe(true);
      expect(clusters.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    }
    // With m = 10 each latent factor's 10 features (well, 9 or 10) form their own clusters.
    for (const c of mapper.clusters(10)) if (c.length > 1) expect(new Set(c.map((i) => (i === 29 ? -1 : i % 3))).size).toBe(1);
  });

  it("cuts a dendrogram of points on a line into runs of at most m", () => {
    const clusters = clusterByDistance(7, (i, j) => Math.abs(i - j), 3);
    expect(clusters.every((c) => c.length <= 3)).toBe(true);
    for (const c of clusters) expect(Math.max(...c) - Math.min(...c)).toBe(c.length - 1);
  });
});

describe("KitNET on AfterImage features", () => {
  const FM = 1500;
  const AD = 6000;
  const traffic = syntheticTraffic({ seed: 11, devices: 5, benignSeconds: 1200, scanSeconds: 60, scanRate: 40 });
  const features = (() => {
    const ai = new AfterImage();
    return traffic.map((t) => {
      const x = new Float64Array(AFTERIMAGE_FEATURE_COUNT);
      ai.update(t.packet, x);
      return x;
    });
  })();

  const train = () => {
    const k = new KitNET(AFTERIMAGE_FEATURE_COUNT, { fmGrace: FM, adGrace: AD, seed: 42 });
    for (let i = 0; i < FM + AD; i++) k.process(features[i]!);
    return k;
  };

  it("scores the scan burst clearly above held-out benign traffic (AUC ≥ 0.95)", () => {
    const k = train();
    expect(k.phase).toBe("executing");
    expect(k.featureMap().every((c) => c.length <= 10)).toBe(true);
    const benign: number[] = [];
    const attack: number[] = [];
    // Benign held out = the benign packets before the scan starts (during the scan, the scanner's own
    // benign telemetry shares its MAC/IP streams and is legitimately unusual).
    let scanStarted = false;
    for (let i = FM + AD; i < traffic.length; i++) {
      const s = k.score(features[i]!);
      if (traffic[i]!.attack) {
        scanStarted = true;
        attack.push(s);
      } else if (!scanStarted) benign.push(s);
    }
    expect(benign.length).toBeGreaterThan(500);
    expect(attack.length).toBeGreaterThan(1000);
    const area = auc(attack, benign);
    expect(area).toBeGreaterThanOrEqual(0.95);
    // A threshold fitted on half the held-out benign scores flags most of the scan.
    const th = fitThreshold(benign.slice(0, benign.length >> 1));
    expect(attack.filter((s) => s > th.value).length / attack.length).toBeGreaterThan(0.9);
  });

  it("round-trips through the model file with identical scores", async () => {
    const k = train();
    const benign = features.slice(FM + AD, FM + AD + 200).map((x) => k.score(x));
    const model = { detector: k, featureSpec: { ...afterImageSpec, names: [...afterImageSpec.names] }, threshold: fitThreshold(benign), training: { samples: FM + AD, source: "synthetic seed 11", scores: scoreSummary(benign) } };
    const dir = mkdtempSync(path.join(tmpdir(), "kitnet-"));
    const file = path.join(dir, "m.json");
    await saveKitnetModel(file, model);
    const loaded = await loadKitnetModel(file);
    expect(loaded.threshold).toEqual(model.threshold);
    for (let i = FM + AD; i < features.length; i += 7) expect(loaded.detector.score(features[i]!)).toBe(k.score(features[i]!));
    expect(kitnetToModelFile(kitnetFromModelFile(parseModelFile(readFileSync(file, "utf8"))), "x")).toEqual(kitnetToModelFile(model, "x"));

    // Damaged files: the error names the field.
    const json = JSON.parse(readFileSync(file, "utf8")) as { ensemble: { weights: number[] }[]; version: number; featureMap: number[][] };
    json.ensemble[2]!.weights.pop();
    writeFileSync(file, JSON.stringify(json));
    await expect(loadKitnetModel(file)).rejects.toThrow(/field ensemble\[2\]\.weights: expected \d+ numbers/);
    json.ensemble[2]!.weights.push(0);
    json.featureMap[0]!.push(9999);
    writeFileSync(file, JSON.stringify(json));
    await expect(loadKitnetModel(file)).rejects.toThrow(/field featureMap\[0\]\[\d+\]: feature index 9999/);
    json.version = 2;
    expect(() => parseModelFile(JSON.stringify(json), "m.json")).toThrow(ModelFileError);
    expect(() => parseModelFile(JSON.stringify(json), "m.json")).toThrow(/m\.json: field version/);
  });
});
