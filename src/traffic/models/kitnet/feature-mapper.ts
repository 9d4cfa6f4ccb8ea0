/**
 * KitNET's feature mapper: during the FM grace period it accumulates, incrementally, the correlation
 * distance between every pair of features (1 − Pearson correlation of the residuals from the running
 * mean); then it clusters the features by agglomerative hierarchical clustering (single linkage, as
 * Kitsune's scipy default) and cuts the dendrogram top-down until every cluster has at most m features.
 */
export class CorrelationMapper {
  private count = 0;
  private readonly sum: Float64Array;
  private readonly residualSq: Float64Array;
  /** Upper triangle (i ≤ j) of the sum of residual products, row-major n × n. */
  private readonly products: Float64Array;
  private readonly residual: Float64Array;

  constructor(readonly n: number) {
    this.sum = new Float64Array(n);
    this.residualSq = new Float64Array(n);
    this.products = new Float64Array(n * n);
    this.residual = new Float64Array(n);
  }

  get samples(): number {
    return this.count;
  }

  update(x: Float64Array): void {
    const n = this.n;
    this.count++;
    for (let i = 0; i < n; i++) {
      this.sum[i] = this.sum[i]! + x[i]!;
      const r = x[i]! - this.sum[i]! / this.count;
      this.residual[i] = r;
      this.residualSq[i] = this.residualSq[i]! + r * r;
    }
    const r = this.residual;
    const C = this.products;
    for (let i = 0; i < n; i++) {
      const ri = r[i]!;
      if (ri === 0) continue;
      const row = i * n;
      for (let j = i; j < n; j++) C[row + j] = C[row + j]! + ri * r[j]!;
    }
  }

  /** The correlation distance 1 − corr(i, j), clamped to ≥ 0 (a constant feature is at distance 1 from all). */
  distance(i: number, j: number): number {
    if (i === j) return 0;
    const [a, b] = i < j ? [i, j] : [j, i];
    const denom = Math.sqrt(this.residualSq[a]!) * Math.sqrt(this.residualSq[b]!);
    const corr = denom === 0 ? 0 : this.products[a * this.n + b]! / denom;
    return Math.max(0, 1 - corr);
  }

  /** Clusters of at most `m` feature indices, covering every feature exactly once. */
  clusters(m: number): number[][] {
    return clusterByDistance(this.n, (i, j) => this.distance(i, j), m);
  }
}

interface Node {
  size: number;
  leaf?: number;
  left?: Node;
  right?: Node;
}

/**
 * Single-linkage agglomerative clustering (O(n³), fine for Kitsune's ~100 features and done once),
 * ties broken by the lowest indices so the result is deterministic; then the dendrogram is cut.
 */
export function clusterByDistance(n: number, dist: (i: number, j: number) => number, m: number): number[][] {
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`maximum cluster size must be a positive integer, got ${m}`);
  if (n === 0) return [];
  const nodes: (Node | undefined)[] = Array.from({ length: n }, (_, i) => ({ size: 1, leaf: i }));
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) D[i * n + j] = D[j * n + i] = dist(i, j);
  for (let merges = 0; merges < n - 1; merges++) {
    let best = Infinity;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < n; i++) {
      if (!nodes[i]) continue;
      for (let j = i + 1; j < n; j++) {
        if (!nodes[j]) continue;
        const d = D[i * n + j]!;
        if (d < best) {
          best = d;
          bi = i;
          bj = j;
        }
      }
    }
    const a = nodes[bi]!;
    const b = nodes[bj]!;
    nodes[bi] = { size: a.size + b.size, left: a, right: b };
    nodes[bj] = undefined;
    for (let k = 0; k < n; k++) {
      if (!nodes[k] || k === bi) continue;
      const d = Math.min(D[bi * n + k]!, D[bj * n + k]!);
      D[bi * n + k] = D[k * n + bi] = d;
    }
  }
  const root = nodes.find((x) => x !== undefined)!;
  const out: number[][] = [];
  const cut = (node: Node): void => {
    if (node.size <= m) out.push(leaves(node));
    else {
      cut(node.left!);
      cut(node.right!);
    }
  };
  cut(root);
  return out;
}

function leaves(node: Node): number[] {
  if (node.leaf !== undefined) return [node.leaf];
  return [...leaves(node.left!), ...leaves(node.right!)];
}
