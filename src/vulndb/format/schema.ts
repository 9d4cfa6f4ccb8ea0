/**
 * The exported entry (./entry.ts) as a zod schema. docs/schemas/vulndb-entry.schema.json is generated
 * from it (`vulnEntryJsonSchema`, zod's own JSON Schema output, draft 2020-12) and a test keeps the two
 * identical and validates exported entries against it. Nested source facets are open objects
 * (`looseObject`): a source may add a field without breaking consumers.
 */
import { z } from "zod";

const provenance = {
  sources: z.array(z.string()).meta({ description: "source names that gave exactly this value" }),
  trust: z.number().min(0).max(1).meta({ description: "highest trust of those sources for this field (correlate/trust.ts)" }),
};

function provenanced<T extends z.ZodType>(value: T) {
  return z.object({ value, ...provenance });
}

function facet<T extends z.ZodType>(value: T, description: string) {
  return z
    .object({ value, ...provenance, alternatives: z.array(provenanced(value)).optional().meta({ description: "conflicting values of other sources, best first" }) })
    .meta({ description });
}

const localizedText = z.looseObject({
  lang: z.string(),
  text: z.string(),
  translated: z.looseObject({ from: z.string(), original: z.string(), translator: z.string(), at: z.string() }).optional(),
  untranslated: z.literal(true).optional(),
});

const cvss = z.looseObject({
  version: z.enum(["2.0", "3.0", "3.1", "4.0"]),
  vector: z.string(),
  baseScore: z.number().min(0).max(10),
  baseSeverity: z.string().optional(),
  provider: z.string().optional(),
  type: z.string().optional(),
});

const cpeMatch = z.looseObject({
  criteria: z.string().meta({ description: "CPE 2.3 formatted string" }),
  vulnerable: z.boolean(),
  versionStartIncluding: z.string().optional(),
  versionStartExcluding: z.string().optional(),
  versionEndIncluding: z.string().optional(),
  versionEndExcluding: z.string().optional(),
});

const versionRange = z.looseObject({
  version: z.string().optional(),
  lessThan: z.string().optional(),
  lessThanOrEqual: z.string().optional(),
  status: z.enum(["affected", "unaffected", "unknown", "fixed"]).optional(),
  text: z.string().optional(),
  type: z.string().optional(),
});

const affected = z.looseObject({
  vendor: z.string().optional(),
  product: z.string().optional(),
  ecosystem: z.string().optional(),
  package: z.string().optional(),
  versions: z.array(versionRange),
  cpes: z.array(z.string()).optional(),
});

const reference = z.looseObject({ url: z.string(), tags: z.array(z.string()).optional(), name: z.string().optional() });
const remediation = z.looseObject({ category: z.string(), details: z.string(), url: z.string().optional(), products: z.array(z.string()).optional() });
const kev = z.looseObject({ dateAdded: z.string() });
const epss = z.looseObject({ score: z.number().min(0).max(1), percentile: z.number().optional(), date: z.string().optional() });

export const vulnEntrySchema = z
  .object({
    id: z.string().regex(/^IOTS-(VULN|EXPL|ART)-\d{4}-\d{6,}$/).meta({ description: "stable id; never changes, survives merges" }),
    kind: z.enum(["vulnerability", "exploit", "article"]),
    aliases: z.array(z.string()).meta({ description: "ids of the same vulnerability (or exploit), canonical spelling, sorted" }),
    previousIds: z.array(z.string()).meta({ description: "ids of entries merged into this one; they resolve here" }),
    related: z.array(z.string()).meta({ description: "other ids mentioned (links, not merges)" }),
    records: z.array(z.object({ source: z.string(), sourceId: z.string(), modified: z.string().optional() })).meta({ description: "source records merged here" }),
    status: facet(z.string(), "published / rejected / disputed / withdrawn").optional(),
    title: facet(z.string(), "title").optional(),
    description: facet(localizedText, "description shown (English preferred); every other text in alternatives").optional(),
    published: facet(z.string(), "first publication, ISO 8601").optional(),
    modified: facet(z.string(), "latest modification of any source, ISO 8601").optional(),
    assigner: facet(z.string(), "CNA or publisher").optional(),
    cvss: facet(cvss, "CVSS score shown; other versions and scorers in alternatives").optional(),
    cwes: z.array(provenanced(z.string())),
    cpes: z.array(provenanced(cpeMatch)),
    affected: z.array(provenanced(affected)),
    references: z.array(provenanced(reference)),
    remediations: z.array(provenanced(remediation)),
    kev: facet(kev, "CISA KEV membership").optional(),
    epss: facet(epss, "EPSS probability (0..1)").optional(),
    exploitedSince: facet(z.string(), "first exploitation in the wild seen").optional(),
    ssvc: facet(z.record(z.string(), z.string()), "CISA ADP SSVC decision points").optional(),
    exploit: facet(z.looseObject({}), "exploit facet (exploit entries)").optional(),
    exploits: z.array(z.string()).optional().meta({ description: "exploit/article: ids of the vulnerabilities it exploits or discusses" }),
    maxCvss: z.number().nullable(),
    iot: z
      .object({ iot: z.boolean(), score: z.number(), reasons: z.array(z.string()), deviceTypes: z.array(z.string()) })
      .nullable()
      .meta({ description: "IoT classifier verdict; null when not classified" }),
    flags: z.object({ kev: z.boolean(), hasExploit: z.boolean() }),
    exploitedBy: z.array(z.object({ id: z.string(), aliases: z.array(z.string()) })).optional(),
    targets: z.array(z.object({ alias: z.string(), id: z.string().nullable() })).optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime().meta({ description: "when iotscope last changed the entry (`since=`)" }),
  })
  .meta({ title: "iotscope vulnerability database entry", description: "One vulnerability, exploit or article merged from every source, each field with its sources and trust (docs/vulndb-format.md)" });

/** The JSON Schema (draft 2020-12) published as docs/schemas/vulndb-entry.schema.json. */
export function vulnEntryJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(vulnEntrySchema, { target: "draft-2020-12" }) as Record<string, unknown>;
}
