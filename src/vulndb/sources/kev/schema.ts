/**
 * The CISA KEV catalogue's shape, after cisagov/kev-data's known_exploited_vulnerabilities_schema.json
 * (draft-07), written as zod so that a bad entry gets a message naming the field. The catalogue and its
 * entries are checked separately: one malformed entry must not reject the other thousand.
 */
import { z } from "zod";

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date YYYY-MM-DD");

export const kevEntrySchema = z.object({
  cveID: z.string().regex(/^CVE-[0-9]{4}-[0-9]{4,19}$/, "expected CVE-YYYY-NNNN"),
  vendorProject: z.string(),
  product: z.string(),
  vulnerabilityName: z.string(),
  dateAdded: date,
  shortDescription: z.string(),
  requiredAction: z.string(),
  dueDate: date,
  knownRansomwareCampaignUse: z.string().optional(),
  notes: z.string().optional(),
  cwes: z.array(z.string().regex(/^CWE-[0-9]+$/, "expected CWE-NNN")).optional(),
});

export type KevEntry = z.infer<typeof kevEntrySchema>;

/** Top level only: `vulnerabilities` items are validated one by one when each is parsed. */
export const kevCatalogueSchema = z.object({
  title: z.string().optional(),
  catalogVersion: z.string(),
  dateReleased: z.iso.datetime({ offset: true }),
  count: z.number().int(),
  vulnerabilities: z.array(z.unknown()),
});

export type KevCatalogue = z.infer<typeof kevCatalogueSchema>;
