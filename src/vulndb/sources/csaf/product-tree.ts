/**
 * CSAF `product_tree` → what each product id means: vendor, product, version or version range, name and
 * identification helpers. Branches nest vendor → product_name (or product_family) → product_version /
 * product_version_range (with architecture, language, … levels in between, which add nothing here);
 * `relationships` name a combination ("firmware X installed_on device Y") whose id stands for the
 * component (`product_reference`) in that context.
 */
import type { Branch, FullProductName, ProductTree } from "./schema.js";

export interface ProductInfo {
  id: string;
  name: string;
  vendor?: string;
  product?: string;
  version?: string;
  range?: string;
  cpe?: string;
  purl?: string;
  /** For a relationship: "installed_on Foo Controller 3". */
  context?: string;
}

export interface ResolvedTree {
  products: Map<string, ProductInfo>;
  groups: Map<string, string[]>;
}

interface Path {
  vendor?: string;
  product?: string;
  family?: string;
  version?: string;
  range?: string;
}

/** Depth cap: real trees are ≤ 6 deep; a hostile one must not blow the stack. */
const MAX_DEPTH = 30;

export function resolveProductTree(tree: ProductTree | undefined): ResolvedTree {
  const products = new Map<string, ProductInfo>();
  const groups = new Map<string, string[]>();
  if (!tree) return { products, groups };
  const walk = (branches: Branch[], path: Path, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    for (const b of branches) {
      const here: Path = { ...path };
      if (b.category === "vendor") here.vendor = b.name;
      else if (b.category === "product_name") here.product = b.name;
      else if (b.category === "product_family") here.family = here.family ? `${here.family} ${b.name}` : b.name;
      else if (b.category === "product_version") here.version = b.name;
      else if (b.category === "product_version_range") here.range = b.name;
      if (b.product) products.set(b.product.product_id, leaf(b.product, here));
      if (b.branches) walk(b.branches, here, depth + 1);
    }
  };
  walk(tree.branches ?? [], {}, 0);
  for (const fpn of tree.full_product_names ?? []) if (!products.has(fpn.product_id)) products.set(fpn.product_id, leaf(fpn, {}));
  for (const rel of tree.relationships ?? []) {
    const component = products.get(rel.product_reference);
    const target = products.get(rel.relates_to_product_reference);
    const info: ProductInfo = { ...(component ?? {}), ...leaf(rel.full_product_name, {}) };
    if (component) {
      for (const k of ["vendor", "product", "version", "range"] as const) if (component[k] !== undefined) info[k] = component[k];
    }
    info.context = `${rel.category} ${target?.name ?? rel.relates_to_product_reference}`;
    products.set(rel.full_product_name.product_id, info);
  }
  for (const g of tree.product_groups ?? []) groups.set(g.group_id, g.product_ids);
  return { products, groups };
}

function leaf(fpn: FullProductName, path: Path): ProductInfo {
  const info: ProductInfo = { id: fpn.product_id, name: fpn.name };
  if (path.vendor) info.vendor = path.vendor;
  const product = path.product ?? path.family;
  if (product) info.product = product;
  if (path.version) info.version = path.version;
  if (path.range) info.range = path.range;
  const h = fpn.product_identification_helper;
  if (h?.cpe) info.cpe = h.cpe;
  if (h?.purl) info.purl = h.purl;
  return info;
}
