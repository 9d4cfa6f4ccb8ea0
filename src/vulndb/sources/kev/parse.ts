/** One KEV catalogue entry (a RawRecord's body) → one SourceRecord carrying the kev facet. */
import { emptyRecord, type SourceRecord } from "../../record.js";
import { failFor } from "../common/errors.js";
import { parseJsonBody, prop, validate } from "../common/json.js";
import { known, uniq } from "../common/values.js";
import type { RawRecord } from "../types.js";
import { kevCatalogueSchema, kevEntrySchema } from "./schema.js";

export function parseKevEntry(raw: RawRecord): SourceRecord[] {
  const json = parseJsonBody(raw);
  // A whole file that readFile could not split reaches here: say what is wrong with it as a catalogue.
  if (prop(json, "vulnerabilities") !== undefined && prop(json, "cveID") === undefined) {
    validate(kevCatalogueSchema, json, raw, "not a KEV catalogue");
    throw failFor(raw)("a whole KEV catalogue, not one entry");
  }
  const e = validate(kevEntrySchema, json, raw, "not a KEV entry");
  const rec = emptyRecord(raw.source, e.cveID);
  rec.aliases = [e.cveID];
  rec.title = e.vulnerabilityName;
  if (e.shortDescription.trim()) rec.descriptions = [{ lang: "en", text: e.shortDescription }];
  rec.cwes = uniq(e.cwes ?? []);
  rec.kev = {
    dateAdded: e.dateAdded,
    dueDate: e.dueDate,
    requiredAction: e.requiredAction,
    vulnerabilityName: e.vulnerabilityName,
    vendorProject: e.vendorProject,
    product: e.product,
    ...(e.knownRansomwareCampaignUse !== undefined && { knownRansomwareCampaignUse: e.knownRansomwareCampaignUse }),
    ...(e.notes !== undefined && e.notes !== "" && { notes: e.notes }),
    cwes: rec.cwes,
  };
  const vendor = known(e.vendorProject);
  const product = known(e.product);
  if (vendor || product) rec.affected = [{ ...(vendor && { vendor }), ...(product && { product }), versions: [] }];
  rec.references = notesUrls(e.notes).map((url) => ({ url }));
  return [rec];
}

/** KEV `notes` is free text whose links are separated by " ; " — they are the entry's references. */
function notesUrls(notes: string | undefined): string[] {
  if (!notes) return [];
  const urls = notes.match(/https?:\/\/[^\s;]+/g) ?? [];
  return uniq(urls);
}
