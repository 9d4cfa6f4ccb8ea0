/**
 * One of KitNET's small autoencoders (Kitsune's dA): tied weights W (visible × hidden) used to encode
 * and, transposed, to decode; sigmoid on both layers; one plain SGD step per sample; inputs scaled to
 * 0..1 by a running min/max seen during training. Hand-written on Float64Array: at ≤ 10 inputs a
 * tensor library's call overhead would cost more than the arithmetic (and would add a dependency).
 * The score of a sample is the RMSE between its scaled input and the reconstruction.
 */
export interface AutoencoderState {
  visible: number;
  hidden: number;
  /** Row-major visible × hidden. */
  weights: Float64Array;
  hiddenBias: Float64Array;
  visibleBias: Float64Array;
  normMin: Float64Array;
  normMax: Float64Array;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export class Autoencoder {
  readonly visible: number;
  readonly hidden: number;
  readonly weights: Float64Array;
  readonly hiddenBias: Float64Array;
  readonly visibleBias: Float64Array;
  readonly normMin: Float64Array;
  readonly normMax: Float64Array;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly z: Float64Array;
  private readonly dz: Float64Array;
  private readonly dy: Float64Array;

  constructor(state: AutoencoderState, private readonly learningRate: number) {
    this.visible = state.visible;
    this.hidden = state.hidden;
    this.weights = state.weights;
    this.hiddenBias = state.hiddenBias;
    this.visibleBias = state.visibleBias;
    this.normMin = state.normMin;
    this.normMax = state.normMax;
    this.x = new Float64Array(this.visible);
    this.y = new Float64Array(this.hidden);
    this.z = new Float64Array(this.visible);
    this.dz = new Float64Array(this.visible);
    this.dy = new Float64Array(this.hidden);
  }

  /** A fresh autoencoder: hidden = ceil(visible · hiddenRatio), weights uniform in ±1/visible (Kitsune's init). */
  static create(visible: number, hiddenRatio: number, learningRate: number, random: () => number): Autoencoder {
    const hidden = Math.max(1, Math.ceil(visible * hiddenRatio));
    const a = 1 / visible;
    const weights = new Float64Array(visible * hidden);
    for (let i = 0; i < weights.length; i++) weights[i] = (random() * 2 - 1) * a;
    return new Autoencoder(
      {
        visible,
        hidden,
        weights,
        hiddenBias: new Float64Array(hidden),
        visibleBias: new Float64Array(visible),
        normMin: new Float64Array(visible).fill(Infinity),
        normMax: new Float64Array(visible).fill(-Infinity),
      },
      learningRate,
    );
  }

  /** One SGD step on the sample `src[idx[i]]` (or `src[i]` without idx); returns the RMSE before the step. */
  train(src: Float64Array, idx?: Int32Array): number {
    const n = this.visible;
    for (let i = 0; i < n; i++) {
      const v = idx ? src[idx[i]!]! : src[i]!;
      if (v < this.normMin[i]!) this.normMin[i] = v;
      if (v > this.normMax[i]!) this.normMax[i] = v;
    }
    const rmse = this.forward(src, idx);
    const { x, y, z, dz, dy, weights: W, hidden: h } = this;
    const lr = this.learningRate;
    for (let i = 0; i < n; i++) dz[i] = x[i]! - z[i]!;
    for (let j = 0; j < h; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += W[i * h + j]! * dz[i]!;
      dy[j] = s * y[j]! * (1 - y[j]!);
    }
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      const dzi = dz[i]!;
      const row = i * h;
      for (let j = 0; j < h; j++) W[row + j] = W[row + j]! + lr * (xi * dy[j]! + dzi * y[j]!);
    }
    for (let j = 0; j < h; j++) this.hiddenBias[j] = this.hiddenBias[j]! + lr * dy[j]!;
    for (let i = 0; i < n; i++) this.visibleBias[i] = this.visibleBias[i]! + lr * dz[i]!;
    return rmse;
  }

  /** The RMSE of the reconstruction of a sample, without learning. */
  execute(src: Float64Array, idx?: Int32Array): number {
    return this.forward(src, idx);
  }

  private forward(src: Float64Array, idx?: Int32Array): number {
    const { x, y, z, weights: W, hidden: h, visible: n, normMin, normMax, hiddenBias, visibleBias } = this;
    if (idx) for (let i = 0; i < n; i++) x[i] = (src[idx[i]!]! - normMin[i]!) / (normMax[i]! - normMin[i]! + 1e-16);
    else for (let i = 0; i < n; i++) x[i] = (src[i]! - normMin[i]!) / (normMax[i]! - normMin[i]! + 1e-16);
    // Row-wise accumulation: W is read in memory order.
    for (let j = 0; j < h; j++) y[j] = hiddenBias[j]!;
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      const row = i * h;
      for (let j = 0; j < h; j++) y[j] = y[j]! + xi * W[row + j]!;
    }
    for (let j = 0; j < h; j++) y[j] = sigmoid(y[j]!);
    let err = 0;
    for (let i = 0; i < n; i++) {
      let s = visibleBias[i]!;
      const row = i * h;
      for (let j = 0; j < h; j++) s += y[j]! * W[row + j]!;
      const zi = sigmoid(s);
      z[i] = zi;
      const d = x[i]! - zi;
      err += d * d;
    }
    return Math.sqrt(err / n);
  }
}
