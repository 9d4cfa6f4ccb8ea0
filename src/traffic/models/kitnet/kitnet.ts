/**
 * KitNET (Kitsune's detector): a feature mapper groups the input features into clusters of at most m,
 * an ensemble of small autoencoders (one per cluster) scores each sample by reconstruction RMSE, and an
 * output autoencoder over the ensemble's RMSEs gives the anomaly score. Online, in three phases:
 *   1. FM grace (fmGrace samples): only the feature mapper learns (incremental correlations);
 *   2. AD grace (adGrace samples): the ensemble and the output layer train, one SGD step per sample;
 *   3. execution: score() only.
 * process() runs whatever phase the detector is in; score() needs a trained detector.
 */
import { mulberry32 } from "../common/prng.js";
import { Autoencoder } from "./autoencoder.js";
import { CorrelationMapper } from "./feature-mapper.js";

export interface KitNetOptions {
  /** Largest cluster (autoencoder input size); Kitsune uses 10. */
  maxAutoencoderSize?: number;
  /** Samples for learning the feature map (recorded but not used when featureMap is given). */
  fmGrace: number;
  /** Samples for training the autoencoders. */
  adGrace: number;
  learningRate?: number;
  hiddenRatio?: number;
  seed?: number;
  /** A fixed feature map (clusters of feature indices) instead of learning one. */
  featureMap?: number[][];
}

export type KitNetPhase = "feature-mapping" | "training" | "executing";

export class KitNET {
  readonly n: number;
  readonly maxAutoencoderSize: number;
  readonly learningRate: number;
  readonly hiddenRatio: number;
  readonly seed: number;
  readonly fmGrace: number;
  readonly adGrace: number;
  private mapper: CorrelationMapper | undefined;
  private clusters: Int32Array[] = [];
  private ensemble: Autoencoder[] = [];
  private output: Autoencoder | undefined;
  private hiddenScores = new Float64Array(0);
  private trained = 0;
  private readonly random: () => number;

  constructor(n: number, options: KitNetOptions) {
    this.n = n;
    this.maxAutoencoderSize = options.maxAutoencoderSize ?? 10;
    this.learningRate = options.learningRate ?? 0.1;
    this.hiddenRatio = options.hiddenRatio ?? 0.75;
    this.seed = options.seed ?? 1;
    this.adGrace = options.adGrace;
    this.random = mulberry32(this.seed);
    this.fmGrace = options.fmGrace;
    if (options.featureMap) this.build(options.featureMap);
    else this.mapper = new CorrelationMapper(n);
  }

  get phase(): KitNetPhase {
    if (this.ensemble.length === 0) return "feature-mapping";
    return this.trained < this.adGrace ? "training" : "executing";
  }

  /** Samples the autoencoders have trained on. */
  get trainedSamples(): number {
    return this.trained;
  }

  featureMap(): number[][] {
    return this.clusters.map((c) => Array.from(c));
  }

  /**
   * Feeds one sample through the current phase. Returns 0 while mapping features, the training RMSE
   * of the output layer while training, the anomaly score afterwards.
   */
  process(x: Float64Array): number {
    if (this.ensemble.length === 0) {
      this.mapper!.update(x);
      if (this.mapper!.samples >= this.fmGrace) {
        this.build(this.mapper!.clusters(this.maxAutoencoderSize));
        this.mapper = undefined;
      }
      return 0;
    }
    if (this.trained < this.adGrace) {
      for (let k = 0; k < this.ensemble.length; k++) this.hiddenScores[k] = this.ensemble[k]!.train(x, this.clusters[k]);
      this.trained++;
      return this.output!.train(this.hiddenScores);
    }
    return this.score(x);
  }

  /** The anomaly score of a sample (no learning). */
  score(x: Float64Array): number {
    if (this.trained === 0) throw new Error("KitNET has not been trained yet");
    for (let k = 0; k < this.ensemble.length; k++) this.hiddenScores[k] = this.ensemble[k]!.execute(x, this.clusters[k]);
    return this.output!.execute(this.hiddenScores);
  }

  private build(map: number[][]): void {
    const seen = new Set<number>();
    for (const c of map) {
      if (c.length === 0 || c.length > this.maxAutoencoderSize) throw new RangeError(`feature map cluster of ${c.length} features (1–${this.maxAutoencoderSize} allowed)`);
      for (const i of c) {
        if (!Number.isInteger(i) || i < 0 || i >= this.n || seen.has(i)) throw new RangeError(`feature map: index ${i} out of range or repeated`);
        seen.add(i);
      }
    }
    this.clusters = map.map((c) => Int32Array.from(c));
    this.ensemble = map.map((c) => Autoencoder.create(c.length, this.hiddenRatio, this.learningRate, this.random));
    this.output = Autoencoder.create(map.length, this.hiddenRatio, this.learningRate, this.random);
    this.hiddenScores = new Float64Array(map.length);
  }

  /** The trained parts, for the model file. */
  parts(): { clusters: number[][]; ensemble: readonly Autoencoder[]; output: Autoencoder } {
    if (!this.output || this.trained === 0) throw new Error("KitNET has not been trained yet");
    return { clusters: this.featureMap(), ensemble: this.ensemble, output: this.output };
  }

  /** A trained detector from saved parts (see model file). */
  static fromParts(
    n: number,
    params: { maxAutoencoderSize: number; learningRate: number; hiddenRatio: number; seed: number; fmGrace: number; adGrace: number; trainedSamples: number },
    clusters: number[][],
    ensemble: Autoencoder[],
    output: Autoencoder,
  ): KitNET {
    const k = new KitNET(n, { ...params, featureMap: clusters });
    k.ensemble = ensemble;
    k.output = output;
    k.trained = Math.max(params.trainedSamples, params.adGrace);
    return k;
  }
}
