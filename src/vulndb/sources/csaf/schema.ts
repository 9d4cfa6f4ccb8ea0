/**
 * The part of CSAF 2.0 (OASIS csaf-v2.0, csaf_json_schema.json) this source reads, as zod: enough to
 * reject a document whose fields have the wrong shape with a message naming the field, without
 * re-implementing the whole 2.0 schema (unknown members are ignored, as the standard allows).
 */
import { z } from "zod";
import { CVE_ID } from "../common/ids.js";

const note = z.object({ category: z.string(), text: z.string(), title: z.string().optional() });
const reference = z.object({ url: z.string(), summary: z.string().optional(), category: z.string().optional() });
const helper = z.object({ cpe: z.string().optional(), purl: z.string().optional() }).optional();

export const fullProductNameSchema = z.object({ name: z.string(), product_id: z.string(), product_identification_helper: helper });
export type FullProductName = z.infer<typeof fullProductNameSchema>;

export interface Branch {
  category: string;
  name: string;
  product?: FullProductName | undefined;
  branches?: Branch[] | undefined;
}
const branchSchema: z.ZodType<Branch> = z.lazy(() =>
  z.object({ category: z.string(), name: z.string(), product: fullProductNameSchema.optional(), branches: z.array(branchSchema).optional() }),
);

export const productTreeSchema = z.object({
  branches: z.array(branchSchema).optional(),
  full_product_names: z.array(fullProductNameSchema).optional(),
  relationships: z
    .array(z.object({ category: z.string(), product_reference: z.string(), relates_to_product_reference: z.string(), full_product_name: fullProductNameSchema }))
    .optional(),
  product_groups: z.array(z.object({ group_id: z.string(), product_ids: z.array(z.string()) })).optional(),
});
export type ProductTree = z.infer<typeof productTreeSchema>;

const cvss = z.object({ version: z.string(), vectorString: z.string(), baseScore: z.number(), baseSeverity: z.string().optional() });

export const vulnerabilitySchema = z.object({
  cve: z.string().regex(CVE_ID, "expected CVE-YYYY-NNNN").optional(),
  ids: z.array(z.object({ system_name: z.string(), text: z.string() })).optional(),
  title: z.string().optional(),
  notes: z.array(note).optional(),
  cwe: z.object({ id: z.string(), name: z.string().optional() }).optional(),
  scores: z.array(z.object({ products: z.array(z.string()), cvss_v3: cvss.optional(), cvss_v2: cvss.optional() })).optional(),
  product_status: z.record(z.string(), z.array(z.string())).optional(),
  remediations: z
    .array(z.object({ category: z.string(), details: z.string(), url: z.string().optional(), product_ids: z.array(z.string()).optional(), group_ids: z.array(z.string()).optional() }))
    .optional(),
  references: z.array(reference).optional(),
  release_date: z.string().optional(),
  discovery_date: z.string().optional(),
});
export type CsafVulnerability = z.infer<typeof vulnerabilitySchema>;

export const csafSchema = z.object({
  document: z.object({
    category: z.string(),
    csaf_version: z.literal("2.0"),
    lang: z.string().optional(),
    title: z.string(),
    publisher: z.object({ name: z.string(), category: z.string(), namespace: z.string().optional() }),
    tracking: z.object({
      id: z.string().min(1),
      initial_release_date: z.string(),
      current_release_date: z.string(),
      status: z.string(),
      version: z.string(),
    }),
    distribution: z.object({ tlp: z.object({ label: z.string() }).optional() }).optional(),
    notes: z.array(note).optional(),
    references: z.array(reference).optional(),
  }),
  product_tree: productTreeSchema.optional(),
  vulnerabilities: z.array(vulnerabilitySchema).optional(),
});
export type CsafDocument = z.infer<typeof csafSchema>;
