/**
 * Distinguished names → zcrypto's `subject`/`issuer` objects and its `subject_dn`/`issuer_dn` strings.
 */
import { children, decodeString, derError, expectChild, readOid, TAG, type Tlv } from "./der.js";
import { NAME_FIELDS, NAME_SHORT } from "./oids.js";
import type { ZCryptoName } from "./x509-types.js";

export interface ParsedName {
  name: ZCryptoName;
  dn: string;
}

/**
 * Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY }.
 * Differences from zcrypto, on purpose: every value of a repeated attribute is kept (zcrypto keeps only the
 * last CN and serialNumber), and every member of a multi-valued RDN (zcrypto keeps the first) — a rule
 * matching `common_name[]` then sees all of them. The DN string is zcrypto's: "SHORT=value" in certificate
 * order joined by ", ", no escaping, non-string values skipped.
 */
export function parseName(buf: Uint8Array, seq: Tlv): ParsedName {
  if (seq.cls !== 0 || seq.num !== TAG.SEQUENCE) throw derError("name is not a SEQUENCE");
  const name: Record<string, string[]> = {};
  const parts: string[] = [];
  for (const rdn of children(buf, seq)) {
    expectChild(rdn, TAG.SET, "relative distinguished name");
    for (const atv of children(buf, rdn)) {
      expectChild(atv, TAG.SEQUENCE, "attribute");
      const [typeTlv, valueTlv] = children(buf, atv);
      const oid = readOid(buf, typeTlv, "attribute type");
      if (!valueTlv) throw derError("attribute without a value");
      const value = decodeString(buf, valueTlv);
      if (value === undefined) continue;
      const field = NAME_FIELDS[oid];
      if (field) (name[field] ??= []).push(value);
      parts.push(`${NAME_SHORT[oid] ?? oid}=${value}`);
    }
  }
  return { name: name as ZCryptoName, dn: parts.join(", ") };
}
