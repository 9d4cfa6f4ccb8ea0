/**
 * The device catalogue (knowledge as data, Recog's lesson): `catalogue/device-types.yaml` and
 * `catalogue/vendors/*.yaml` at the package root, validated here and compiled into the matchers the
 * classifier uses. Every entry carries examples that test/vulndb/iot/catalogue.test.ts runs.
 * The format is documented in docs/vulndb-iot.md.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { UsageError } from "../../core/errors.js";
import { compactKey, escapeRegExp, normalizeName, vendorKey } from "./normalize.js";
import { PhraseIndex } from "./phrases.js";

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lower-case letters, digits and '-'");

/** An input an entry must (or must not) classify to; the fields of a ClassifyInput, one of each. */
const exampleSchema = z
  .object({
    cpe: z.string().optional(),
    vendor: z.string().optional(),
    product: z.string().optional(),
    description: z.string().optional(),
    lang: z.string().optional(),
    /** For `match`: the device type the classifier must also report. */
    type: id.optional(),
  })
  .strict()
  .refine((e) => e.cpe !== undefined || e.vendor !== undefined || e.product !== undefined || e.description !== undefined, {
    message: "an example needs cpe, vendor, product or description",
  });
export type CatalogueExample = z.infer<typeof exampleSchema>;

const examplesSchema = z
  .object({ match: z.array(exampleSchema).min(1), nomatch: z.array(exampleSchema).min(1) })
  .strict();

const familySchema = z
  .object({
    name: z.string().min(1),
    type: id,
    /** Globs over normalised product names (see docs/vulndb-iot.md). */
    patterns: z.array(z.string().min(1)).min(1),
    /** Product names that must match this family (and, with the vendor, classify to its type). */
    examples: z.array(z.string().min(1)).min(1),
    /** Product names that must not match it. */
    not: z.array(z.string().min(1)).optional(),
    /** Its model names identify the vendor on their own ("UCM6202", "NVMS-1000"): matched even where no vendor is named. */
    distinctive: z.boolean().optional(),
  })
  .strict();

const vendorSchema = z
  .object({
    id,
    name: z.string().min(1),
    /**
     * Spellings, compared on letters and digits only, case-insensitively, also looked for inside text
     * (product strings, descriptions): so only distinctive ones.
     */
    aliases: z.array(z.string().min(1)).min(1),
    /** Spellings that are common words or too short ("ring", "axis", "mi"): only a whole vendor field or CPE vendor. */
    exact: z.array(z.string().min(1)).optional(),
    /** devices: (almost) everything it sells is a device; mixed: devices among software/IT products. */
    scope: z.enum(["devices", "mixed"]),
    types: z.array(id).min(1),
    families: z.array(familySchema).default([]),
    examples: examplesSchema,
    reference: z.union([z.string(), z.array(z.string())]).optional(),
  })
  .strict();

const vendorFileSchema = z.object({ vendors: z.array(vendorSchema).min(1) }).strict();

const deviceTypeSchema = z
  .object({
    id,
    name: z.string().min(1),
    /** Description keywords per language (BCP 47); Latin ones match whole words (plural -s/-es allowed). */
    keywords: z.record(z.string(), z.array(z.string().min(1))),
    /** Phrases removed from a text before matching (e.g. "react-router" is not a router). */
    exclude: z.array(z.string().min(1)).optional(),
    examples: z.object({ match: z.array(z.string().min(1)).min(1), nomatch: z.array(z.string().min(1)).min(1) }).strict(),
  })
  .strict();

const deviceTypesFileSchema = z
  .object({
    types: z.array(deviceTypeSchema).min(1),
    /** Words that say "an embedded device" without a type ("firmware"). */
    generic: z.object({
      keywords: z.record(z.string(), z.array(z.string().min(1))),
      examples: z.object({ match: z.array(z.string().min(1)).min(1), nomatch: z.array(z.string().min(1)).min(1) }).strict(),
    }),
  })
  .strict();

export type VendorEntry = z.infer<typeof vendorSchema> & { file: string };
export type FamilyEntry = z.infer<typeof familySchema>;
export type DeviceTypeEntry = z.infer<typeof deviceTypeSchema>;

export interface CompiledFamily extends FamilyEntry {
  vendor: string;
  /** All patterns, for product names. */
  regex: RegExp;
  /**
   * For descriptions: all patterns, each in its own capture group (global). A match there counts only
   * if it has a digit or its glob a literal prefix of 4+ characters (`strong[group]`), so "f*" finds
   * "F1203" but not "firmware".
   */
  textRegex: RegExp;
  strong: boolean[];
}

export interface Catalogue {
  vendors: VendorEntry[];
  deviceTypes: DeviceTypeEntry[];
  genericKeywords: Record<string, string[]>;
  genericExamples: { match: string[]; nomatch: string[] };
  files: string[];
  /** vendorKey(alias) → vendor (every alias, `exact` ones included). */
  vendorByKey: Map<string, VendorEntry>;
  /** Vendor names inside free text (`exact` aliases excluded). */
  vendorPhrases: PhraseIndex<VendorEntry>;
  families: Map<string, CompiledFamily[]>;
  /** Families marked `distinctive`, tried on texts that name no vendor. */
  distinctiveFamilies: CompiledFamily[];
  typePhrases: PhraseIndex<DeviceTypeEntry>;
  /** Phrases that hide a keyword ("react-router"): their words are skipped. */
  excludePhrases: PhraseIndex<true>;
  genericPhrases: PhraseIndex<true>;
}

/** `catalogue/` at the package root: this file is at src/vulndb/iot/ or dist/vulndb/iot/. */
export function defaultCatalogueDir(): string {
  return fileURLToPath(new URL("../../../catalogue/", import.meta.url));
}

let shipped: Catalogue | undefined;

/** The shipped catalogue, loaded once. */
export function defaultCatalogue(): Catalogue {
  shipped ??= loadCatalogue(defaultCatalogueDir());
  return shipped;
}

/** Reads and checks `<dir>/device-types.yaml` and `<dir>/vendors/*.yaml`; errors name the file and entry. */
export function loadCatalogue(dir: string): Catalogue {
  const typesFile = path.join(dir, "device-types.yaml");
  const types = validate(deviceTypesFileSchema, readYaml(typesFile), typesFile);
  const vendorDir = path.join(dir, "vendors");
  let names: string[];
  try {
    names = readdirSync(vendorDir).filter((n) => n.endsWith(".yaml") || n.endsWith(".yml")).sort();
  } catch (err) {
    throw new UsageError(`catalogue: cannot read ${vendorDir}: ${(err as Error).message}`);
  }
  const vendors: VendorEntry[] = [];
  for (const name of names) {
    const file = path.join(vendorDir, name);
    const parsed = validate(vendorFileSchema, readYaml(file), file);
    vendors.push(...parsed.vendors.map((v) => ({ ...v, file })));
  }
  return compileCatalogue(vendors, types.types, types.generic, [typesFile, ...names.map((n) => path.join(vendorDir, n))]);
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`catalogue: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new UsageError(`catalogue: ${file}: ${(err as Error).message.split("\n")[0]}`);
  }
}

function validate<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = describePath(value, issue.path);
  throw new UsageError(`catalogue: ${file}: ${where}: ${issue.message}`);
}

/** "vendors[3] (tp-link).families[0].patterns": the entry's id helps find it in a long file. */
function describePath(root: unknown, at: ReadonlyArray<PropertyKey>): string {
  let node = root;
  let out = "";
  for (const key of at) {
    out += typeof key === "number" ? `[${key}]` : `${out ? "." : ""}${String(key)}`;
    node = node && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (typeof key === "number" && node && typeof node === "object" && typeof (node as { id?: unknown }).id === "string") {
      out += ` (${(node as { id: string }).id})`;
    }
  }
  return out || "top level";
}

export function compileCatalogue(
  vendors: VendorEntry[],
  deviceTypes: DeviceTypeEntry[],
  generic: { keywords: Record<string, string[]>; examples: { match: string[]; nomatch: string[] } },
  files: string[],
): Catalogue {
  const typeIds = new Set(deviceTypes.map((t) => t.id));
  const vendorByKey = new Map<string, VendorEntry>();
  const families = new Map<string, CompiledFamily[]>();
  const seen = new Set<string>();
  const vendorPhrases = new PhraseIndex<VendorEntry>();
  for (const v of vendors) {
    if (seen.has(v.id)) throw new UsageError(`catalogue: ${v.file}: vendor ${v.id} is defined twice`);
    seen.add(v.id);
    for (const t of [...v.types, ...v.families.map((f) => f.type)]) {
      if (!typeIds.has(t)) throw new UsageError(`catalogue: ${v.file}: vendor ${v.id}: unknown device type ${t}`);
    }
    const exact = new Set(v.exact ?? []);
    for (const alias of [v.id, v.name, ...v.aliases, ...exact]) {
      for (const key of new Set([compactKey(alias), vendorKey(alias)])) {
        const other = vendorByKey.get(key);
        if (other && other.id !== v.id) throw new UsageError(`catalogue: ${v.file}: alias "${alias}" of ${v.id} is also an alias of ${other.id}`);
        vendorByKey.set(key, v);
      }
    }
    for (const a of v.aliases) if (!exact.has(a)) vendorPhrases.add(a, v, { joined: true });
    families.set(
      v.id,
      v.families.map((f) => ({
        ...f,
        vendor: v.id,
        regex: familyRegex(f.patterns),
        textRegex: new RegExp(`${WORD_START}(?:${f.patterns.map((p) => `(${globBody(p)})`).join("|")})`, "gu"),
        strong: f.patterns.map((p) => literalPrefixLength(p) >= 4),
      })),
    );
  }
  const typePhrases = new PhraseIndex<DeviceTypeEntry>();
  const excludePhrases = new PhraseIndex<true>();
  for (const t of deviceTypes) {
    for (const k of Object.values(t.keywords).flat()) typePhrases.add(k, t);
    for (const x of t.exclude ?? []) excludePhrases.add(x, true);
  }
  const genericPhrases = new PhraseIndex<true>();
  for (const k of Object.values(generic.keywords).flat()) genericPhrases.add(k, true);
  return {
    vendors,
    deviceTypes,
    genericKeywords: generic.keywords,
    genericExamples: generic.examples,
    files,
    vendorByKey,
    vendorPhrases,
    families,
    distinctiveFamilies: [...families.values()].flat().filter((f) => f.distinctive),
    typePhrases,
    excludePhrases,
    genericPhrases,
  };
}

// Word starts in a normalised product name: the beginning, or after a separator. '-' is part of a
// model name ("dir-859", "ds-2cd2032"), so it is not a separator.
const WORD_START = "(?:^|(?<=[_()/,;:+\\[\\]\"'.]))";

/**
 * Family globs → regexes over normalised product names: `*` any run of characters, `?` one character,
 * `#` one digit; matched from a word start; a glob that does not end in `*` must end at a word end
 * ("fortios" ≠ "fortiosx"). An open glob consumes the rest of its word, so the match is the model name.
 */
export function familyRegex(patterns: string[], flags = ""): RegExp {
  return new RegExp(`${WORD_START}(?:${patterns.map(globBody).join("|")})`, `u${flags}`);
}

function globBody(pattern: string): string {
  const norm = normalizeName(pattern);
  const open = norm.endsWith("*");
  const body = (open ? norm.replace(/\*+$/, "") : norm)
    .split("")
    .map((c) => (c === "*" ? "[^_\\s]*?" : c === "?" ? "." : c === "#" ? "\\p{N}" : escapeRegExp(c)))
    .join("");
  return body + (open ? "[^_\\s]*" : "(?![\\p{L}\\p{N}])");
}

/** Letters before the first wildcard: "dir-*" → 4, "f*" → 1. */
export function literalPrefixLength(pattern: string): number {
  const i = pattern.search(/[*?#]/);
  return i < 0 ? pattern.length : i;
}
