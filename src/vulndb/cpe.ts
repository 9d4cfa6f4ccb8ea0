/**
 * CPE names (NISTIR 7695): the 2.3 formatted string `cpe:2.3:part:vendor:product:version:…` (13 fields,
 * `\`-escaped) and the older 2.2 URI `cpe:/part:vendor:product:…` (percent-encoded, JVN still uses it).
 * Hand-written: the npm packages for CPE are unmaintained or only split on ':' (breaking on escaped
 * colons such as `cpe:2.3:a:foo\:bar:…`); the grammar is small and fully specified.
 */
export type CpePart = "a" | "o" | "h";

export interface Cpe {
  part: CpePart;
  /** Unescaped values; "*" = ANY, "-" = NA. */
  vendor: string;
  product: string;
  version: string;
  update: string;
  edition: string;
  language: string;
  swEdition: string;
  targetSw: string;
  targetHw: string;
  other: string;
}

const FIELDS = ["part", "vendor", "product", "version", "update", "edition", "language", "swEdition", "targetSw", "targetHw", "other"] as const;

export class CpeError extends Error {
  constructor(value: string, reason: string) {
    super(`invalid CPE ${JSON.stringify(value.slice(0, 200))}: ${reason}`);
    this.name = "CpeError";
  }
}

/** Parses a 2.3 formatted string or a 2.2 URI. */
export function parseCpe(value: string): Cpe {
  if (value.startsWith("cpe:2.3:")) return parseFormatted(value);
  if (value.startsWith("cpe:/")) return parseUri(value);
  throw new CpeError(value, "neither cpe:2.3: nor cpe:/");
}

/** Any CPE → its 2.3 formatted string (the form stored and compared). */
export function toCpe23(value: string): string {
  return formatCpe(parseCpe(value));
}

export function formatCpe(cpe: Cpe): string {
  return `cpe:2.3:${FIELDS.map((f) => escapeComponent(cpe[f])).join(":")}`;
}

function parseFormatted(value: string): Cpe {
  const parts: string[] = [];
  let current = "";
  for (let i = "cpe:2.3:".length; i < value.length; i++) {
    const c = value[i]!;
    if (c === "\\") {
      if (i + 1 >= value.length) throw new CpeError(value, "dangling escape");
      current += value[++i];
    } else if (c === ":") {
      parts.push(current);
      current = "";
    } else current += c;
  }
  parts.push(current);
  if (parts.length !== FIELDS.length) throw new CpeError(value, `${parts.length} components, expected ${FIELDS.length}`);
  return build(value, parts);
}

function parseUri(value: string): Cpe {
  const raw = value.slice("cpe:/".length).split(":");
  if (raw.length > 7) throw new CpeError(value, "more than 7 components");
  let d: string[];
  try {
    d = raw.map((p) => (p === "" ? "*" : decodeURIComponent(p)));
  } catch {
    throw new CpeError(value, "bad percent-encoding");
  }
  // 2.2 order: part, vendor, product, version, update, edition, language. The edition may pack the
  // extended 2.3 attributes: ~edition~sw_edition~target_sw~target_hw~other.
  let edition = d[5] ?? "*";
  let extended = ["*", "*", "*", "*"];
  if (edition.startsWith("~")) {
    const packed = edition.split("~");
    edition = packed[1] || "*";
    extended = [packed[2] || "*", packed[3] || "*", packed[4] || "*", packed[5] || "*"];
  }
  return build(value, [d[0] ?? "*", d[1] ?? "*", d[2] ?? "*", d[3] ?? "*", d[4] ?? "*", edition, d[6] ?? "*", ...extended]);
}

function build(value: string, parts: string[]): Cpe {
  const part = parts[0];
  if (part !== "a" && part !== "o" && part !== "h") throw new CpeError(value, `part ${JSON.stringify(part)} is not a, o or h`);
  const cpe = { part } as Cpe;
  FIELDS.forEach((f, i) => {
    if (f !== "part") cpe[f] = parts[i] === "" ? "*" : parts[i]!;
  });
  return cpe;
}

/** 2.3 quoting: everything but letters, digits, `_`, `-`, `.` and the wildcards ANY/NA gets a backslash. */
function escapeComponent(v: string): string {
  if (v === "*" || v === "-") return v;
  return v.replace(/[^A-Za-z0-9_.-]/g, (c) => `\\${c}`);
}

/** Human form of a CPE value: underscores to spaces ("archer_ax21" → "archer ax21"); ANY/NA → undefined. */
export function displayValue(v: string): string | undefined {
  if (v === "*" || v === "-" || v === "") return undefined;
  return v.replace(/_/g, " ");
}
