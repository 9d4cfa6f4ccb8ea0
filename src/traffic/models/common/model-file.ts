/**
 * The traffic models' file format: one JSON document, versioned and self-describing — which features
 * it expects (feature spec with names and version), how inputs are normalised, the weights, the alert
 * threshold and a summary of the training data — so that `traffic watch --model m.json` on an edge
 * device needs nothing else. Validated with zod on load; an error names the offending field.
 * Numbers are written by JSON.stringify (shortest round-trip form), so a saved model scores exactly as
 * the one in memory.
 */
import { z } from "zod";

export const MODEL_FORMAT = "iotscope.traffic.model";
export const MODEL_FORMAT_VERSION = 1;

export const featureSpecSchema = z.object({
  name: z.string().min(1),
  version: z.number().int().nonnegative(),
  names: z.array(z.string()).min(1),
});
export type FeatureSpec = z.infer<typeof featureSpecSchema>;

const finite = z.number().refine(Number.isFinite, "must be a finite number");

/** A tied-weight autoencoder: weights are row-major visible × hidden. */
export const autoencoderSchema = z
  .object({
    visible: z.number().int().positive(),
    hidden: z.number().int().positive(),
    weights: z.array(finite),
    hiddenBias: z.array(finite),
    visibleBias: z.array(finite),
    normMin: z.array(finite),
    normMax: z.array(finite),
  })
  .superRefine((ae, ctx) => {
    const expect = (field: "weights" | "hiddenBias" | "visibleBias" | "normMin" | "normMax", n: number) => {
      if (ae[field].length !== n) ctx.addIssue({ code: "custom", path: [field], message: `expected ${n} numbers, got ${ae[field].length}` });
    };
    expect("weights", ae.visible * ae.hidden);
    expect("hiddenBias", ae.hidden);
    expect("visibleBias", ae.visible);
    expect("normMin", ae.visible);
    expect("normMax", ae.visible);
  });
export type AutoencoderJson = z.infer<typeof autoencoderSchema>;

export const thresholdSchema = z.object({
  method: z.enum(["lognormal", "quantile"]),
  value: finite.refine((v) => v > 0, "must be positive"),
  params: z.record(z.string(), z.number()),
});

export const trainingSummarySchema = z.object({
  samples: z.number().int().nonnegative(),
  /** What the training data was (capture names, generator seed, …). */
  source: z.string().optional(),
  startTs: z.number().optional(),
  endTs: z.number().optional(),
  /** Benign scores used for the threshold. */
  scores: z.object({ count: z.number().int().nonnegative(), mean: z.number(), p50: z.number(), p99: z.number(), max: z.number() }).optional(),
});

export const kitnetModelSchema = z
  .object({
    format: z.literal(MODEL_FORMAT),
    version: z.literal(MODEL_FORMAT_VERSION),
    kind: z.literal("kitnet"),
    createdAt: z.string(),
    featureSpec: featureSpecSchema,
    params: z.object({
      maxAutoencoderSize: z.number().int().positive(),
      learningRate: finite,
      hiddenRatio: finite,
      seed: z.number().int(),
      fmGrace: z.number().int().nonnegative(),
      adGrace: z.number().int().nonnegative(),
      trainedSamples: z.number().int().positive(),
    }),
    featureMap: z.array(z.array(z.number().int().nonnegative()).min(1)).min(1),
    ensemble: z.array(autoencoderSchema),
    output: autoencoderSchema,
    threshold: thresholdSchema.optional(),
    training: trainingSummarySchema,
  })
  .superRefine((m, ctx) => {
    const n = m.featureSpec.names.length;
    if (m.ensemble.length !== m.featureMap.length) ctx.addIssue({ code: "custom", path: ["ensemble"], message: `expected one autoencoder per feature-map cluster (${m.featureMap.length}), got ${m.ensemble.length}` });
    const seen = new Set<number>();
    m.featureMap.forEach((c, i) => {
      if (c.length > m.params.maxAutoencoderSize) ctx.addIssue({ code: "custom", path: ["featureMap", i], message: `cluster of ${c.length} features exceeds maxAutoencoderSize ${m.params.maxAutoencoderSize}` });
      c.forEach((f, j) => {
        if (f >= n || seen.has(f)) ctx.addIssue({ code: "custom", path: ["featureMap", i, j], message: f >= n ? `feature index ${f} ≥ feature count ${n}` : `feature index ${f} repeated` });
        seen.add(f);
      });
      const ae = m.ensemble[i];
      if (ae && ae.visible !== c.length) ctx.addIssue({ code: "custom", path: ["ensemble", i, "visible"], message: `expected ${c.length} (the cluster's size), got ${ae.visible}` });
    });
    if (m.output.visible !== m.featureMap.length) ctx.addIssue({ code: "custom", path: ["output", "visible"], message: `expected ${m.featureMap.length} (one input per autoencoder), got ${m.output.visible}` });
  });
export type KitnetModelFile = z.infer<typeof kitnetModelSchema>;

export const modelFileSchema = kitnetModelSchema;
export type ModelFile = KitnetModelFile;

export class ModelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelFileError";
  }
}

/** `ensemble[3].weights` from a zod path. */
function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("") || "(document)";
}

/** Parses and validates a model file's text; errors name the source and the field. */
export function parseModelFile(text: string, source = "model file"): ModelFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(`${source}: not JSON: ${(e as Error).message}`);
  }
  const head = z.object({ format: z.string(), version: z.number() }).safeParse(json);
  if (head.success && head.data.format === MODEL_FORMAT && head.data.version !== MODEL_FORMAT_VERSION) {
    throw new ModelFileError(`${source}: field version: this iotscope reads model format version ${MODEL_FORMAT_VERSION}, the file is version ${head.data.version}`);
  }
  const parsed = modelFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `field ${fieldName(i.path)}: ${i.message}`);
    const more = parsed.error.issues.length > 5 ? ` (and ${parsed.error.issues.length - 5} more)` : "";
    throw new ModelFileError(`${source}: invalid model: ${issues.join("; ")}${more}`);
  }
  return parsed.data;
}

/** Checks that a model was trained on the features a caller is about to give it. */
export function assertFeatureSpec(model: { featureSpec: FeatureSpec }, spec: { name: string; version: number; names: readonly string[] }, source = "model file"): void {
  const m = model.featureSpec;
  if (m.name !== spec.name || m.version !== spec.version) throw new ModelFileError(`${source}: field featureSpec: model expects ${m.name} v${m.version} features, got ${spec.name} v${spec.version}`);
  if (m.names.length !== spec.names.length || m.names.some((n, i) => n !== spec.names[i])) throw new ModelFileError(`${source}: field featureSpec.names: the model's feature names differ from ${spec.name} v${spec.version}'s`);
}
