/**
 * Vendor/product names from a CSAF 2.0 `product_tree` (§3.1.3 branches: vendor → product_family →
 * product_name → product_version …). Read defensively: the tree comes from outside and is only
 * walked, never trusted for shape, with a bound on depth and size.
 */
const MAX_DEPTH = 30;
const MAX_NODES = 20_000;

export function productsFromCsafTree(tree: unknown): Array<{ vendor?: string; product?: string }> {
  const out = new Map<string, { vendor?: string; product?: string }>();
  let nodes = 0;
  const emit = (vendor: string | undefined, product: string | undefined) => {
    if (!vendor && !product) return;
    out.set(`${vendor ?? ""}\u0000${product ?? ""}`, { ...(vendor ? { vendor } : {}), ...(product ? { product } : {}) });
  };
  const walk = (branches: unknown, vendor: string | undefined, depth: number) => {
    if (!Array.isArray(branches) || depth > MAX_DEPTH) return;
    for (const b of branches) {
      if (++nodes > MAX_NODES || !b || typeof b !== "object") return;
      const { category, name, branches: children } = b as { category?: unknown; name?: unknown; branches?: unknown };
      const n = typeof name === "string" ? name.trim() : undefined;
      let v = vendor;
      if (n && category === "vendor") v = n;
      else if (n && (category === "product_family" || category === "product_name")) emit(v, n);
      walk(children, v, depth + 1);
    }
  };
  if (tree && typeof tree === "object") {
    const t = tree as { branches?: unknown; full_product_names?: unknown };
    walk(t.branches, undefined, 0);
    if (Array.isArray(t.full_product_names)) {
      for (const p of t.full_product_names.slice(0, MAX_NODES)) {
        const name = p && typeof p === "object" ? (p as { name?: unknown }).name : undefined;
        if (typeof name === "string" && name.trim()) emit(undefined, name.trim());
      }
    }
  }
  return [...out.values()];
}
