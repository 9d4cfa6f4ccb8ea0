/**
 * JSON with object keys sorted, so that two sources giving the same value with keys in a different order
 * compare equal (the dedup key of merged values). Written out directly rather than by sorting a copy
 * and calling JSON.stringify: it runs for every value of every record merged (millions in a full sync).
 * Same output as JSON.stringify for what records hold (no toJSON, no non-finite numbers); undefined
 * members are skipped as JSON.stringify does.
 */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      const v: unknown = value[i];
      out += v === undefined ? "null" : stableJson(v);
    }
    return `${out}]`;
  }
  const keys = Object.keys(value).sort();
  let out = "{";
  let first = true;
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    out += `${first ? "" : ","}${JSON.stringify(k)}:${stableJson(v)}`;
    first = false;
  }
  return `${out}}`;
}
