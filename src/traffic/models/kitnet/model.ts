/** KitNET ↔ model file (src/traffic/models/common/model-file.ts). */
import { readFile, writeFile } from "node:fs/promises";
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, ModelFileError, parseModelFile, type AutoencoderJson, type FeatureSpec, type KitnetModelFile } from "../common/model-file.js";
import { Autoencoder } from "./autoencoder.js";
import { KitNET } from "./kitnet.js";
import { quantile, type Threshold } from "./threshold.js";

export interface KitnetModel {
  detector: KitNET;
  featureSpec: FeatureSpec;
  threshold?: Threshold;
  training: KitnetModelFile["training"];
}

function aeToJson(ae: Autoencoder): AutoencoderJson {
  return {
    visible: ae.visible,
    hidden: ae.hidden,
    weights: Array.from(ae.weights),
    hiddenBias: Array.from(ae.hiddenBias),
    visibleBias: Array.from(ae.visibleBias),
    normMin: Array.from(ae.normMin),
    normMax: Array.from(ae.normMax),
  };
}

function aeFromJson(j: AutoencoderJson, learningRate: number): Autoencoder {
  return new Autoencoder(
    {
      visible: j.visible,
      hidden: j.hidden,
      weights: Float64Array.from(j.weights),
      hiddenBias: Float64Array.from(j.hiddenBias),
      visibleBias: Float64Array.from(j.visibleBias),
      normMin: Float64Array.from(j.normMin),
      normMax: Float64Array.from(j.normMax),
    },
    learningRate,
  );
}

/** A summary of benign scores for the training section. */
export function scoreSummary(scores: readonly number[]): NonNullable<KitnetModelFile["training"]["scores"]> {
  if (scores.length === 0) return { count: 0, mean: 0, p50: 0, p99: 0, max: 0 };
  return { count: scores.length, mean: scores.reduce((a, b) => a + b, 0) / scores.length, p50: quantile(scores, 0.5), p99: quantile(scores, 0.99), max: Math.max(...scores) };
}

export function kitnetToModelFile(model: KitnetModel, createdAt = new Date().toISOString()): KitnetModelFile {
  const d = model.detector;
  if (d.n !== model.featureSpec.names.length) throw new ModelFileError(`detector has ${d.n} inputs but the feature spec names ${model.featureSpec.names.length}`);
  const { clusters, ensemble, output } = d.parts();
  return {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    kind: "kitnet",
    createdAt,
    featureSpec: { name: model.featureSpec.name, version: model.featureSpec.version, names: [...model.featureSpec.names] },
    params: { maxAutoencoderSize: d.maxAutoencoderSize, learningRate: d.learningRate, hiddenRatio: d.hiddenRatio, seed: d.seed, fmGrace: d.fmGrace, adGrace: d.adGrace, trainedSamples: d.trainedSamples },
    featureMap: clusters,
    ensemble: ensemble.map(aeToJson),
    output: aeToJson(output),
    ...(model.threshold ? { threshold: model.threshold } : {}),
    training: model.training,
  };
}

export function kitnetFromModelFile(file: KitnetModelFile): KitnetModel {
  const lr = file.params.learningRate;
  const detector = KitNET.fromParts(
    file.featureSpec.names.length,
    file.params,
    file.featureMap,
    file.ensemble.map((j) => aeFromJson(j, lr)),
    aeFromJson(file.output, lr),
  );
  return { detector, featureSpec: file.featureSpec, ...(file.threshold ? { threshold: file.threshold } : {}), training: file.training };
}

export async function saveKitnetModel(path: string, model: KitnetModel): Promise<void> {
  await writeFile(path, `${JSON.stringify(kitnetToModelFile(model))}\n`);
}

export async function loadKitnetModel(path: string): Promise<KitnetModel> {
  return kitnetFromModelFile(parseModelFile(await readFile(path, "utf8"), path));
}
