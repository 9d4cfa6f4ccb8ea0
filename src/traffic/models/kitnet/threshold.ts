/**
 * The alert threshold, fitted to scores of benign traffic the model did not train on. Two methods:
 * - "lognormal" (default), as in Kitsune's example: KitNET's RMSE scores of benign traffic are close
 *   to log-normal, so fit a normal to log(score) (mean μ, std σ) and alert above exp(μ + z·σ); z = 3.09
 *   is the one-sided 0.1% tail of the fitted distribution.
 * - "quantile": the empirical q-quantile of the benign scores (no distribution assumed; needs many
 *   scores for a high q).
 */
export type ThresholdSpec = { method: "lognormal"; z?: number } | { method: "quantile"; q?: number };

export interface Threshold {
  method: "lognormal" | "quantile";
  value: number;
  params: Record<string, number>;
}

export function fitThreshold(scores: ArrayLike<number>, spec: ThresholdSpec = { method: "lognormal" }): Threshold {
  const xs = Array.from(scores).filter((s) => Number.isFinite(s) && s > 0);
  if (xs.length < 2) throw new RangeError(`fitting a threshold needs at least 2 positive benign scores, got ${xs.length}`);
  if (spec.method === "quantile") {
    const q = spec.q ?? 0.999;
    return { method: "quantile", value: quantile(xs, q), params: { q, samples: xs.length } };
  }
  const z = spec.z ?? 3.09;
  const logs = xs.map(Math.log);
  const mu = logs.reduce((a, b) => a + b, 0) / logs.length;
  const sigma = Math.sqrt(logs.reduce((a, b) => a + (b - mu) ** 2, 0) / (logs.length - 1));
  return { method: "lognormal", value: Math.exp(mu + z * sigma), params: { mu, sigma, z, samples: xs.length } };
}

/** Linear-interpolated quantile (type 7) of unsorted values. */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
