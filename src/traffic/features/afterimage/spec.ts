/**
 * The names and order of AfterImage's 115 per-packet features (Kitsune, Mirsky et al., NDSS 2018; the
 * order of the N-BaIoT CSVs): five stream groups, each with its statistics for the five decay factors
 * λ ∈ {5, 3, 1, 0.1, 0.01} (weights decay as 2^(-λ·Δt), Δt in seconds):
 *   MI      source MAC+IP, packet size           weight, mean, std                         (15)
 *   H       source IP, packet size               weight, mean, std                         (15)
 *   HH      channel src IP → dst IP, packet size weight, mean, std, magnitude, radius, covariance, pcc (35)
 *   HH_jit  channel src IP → dst IP, inter-arrival time  weight, mean, std                 (15)
 *   HpHp    socket src:port → dst:port, packet size      same seven as HH                  (35)
 */
export const AFTERIMAGE_LAMBDAS = [5, 3, 1, 0.1, 0.01] as const;
export const AFTERIMAGE_FEATURE_COUNT = 115;

const STATS_1D = ["weight", "mean", "std"];
const STATS_2D = [...STATS_1D, "magnitude", "radius", "covariance", "pcc"];

function group(prefix: string, stats: string[]): string[] {
  return AFTERIMAGE_LAMBDAS.flatMap((l) => stats.map((s) => `${prefix}_L${l}_${s}`));
}

export const AFTERIMAGE_FEATURE_NAMES: readonly string[] = [
  ...group("MI_dir", STATS_1D),
  ...group("H", STATS_1D),
  ...group("HH", STATS_2D),
  ...group("HH_jit", STATS_1D),
  ...group("HpHp", STATS_2D),
];

/** Offsets of each group in the feature vector. */
export const OFFSET = { MI: 0, H: 15, HH: 30, JIT: 65, HPHP: 80 } as const;

/** What a model file records so it can refuse features it was not trained on. */
export const afterImageSpec = {
  name: "afterimage",
  version: 1,
  names: AFTERIMAGE_FEATURE_NAMES,
} as const;
