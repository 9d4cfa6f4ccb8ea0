/**
 * Certificate extensions → zcrypto's `extensions` object. An extension that zcrypto knows but that fails
 * to decode here is kept, raw, in `unknown_extensions` instead of failing the whole certificate (zcrypto
 * would reject the certificate; a scanner loses less by keeping the rest).
 */
import { ProbeError } from "../types.js";
import {
  asciiOf,
  bitStringBytes,
  children,
  content,
  decodeBoolean,
  decodeInteger,
  decodeOid,
  decodeString,
  derError,
  expectChild,
  isContext,
  isUniversal,
  readOid,
  readTlv,
  TAG,
  type Tlv,
} from "./der.js";
import { formatIp } from "./ip.js";
import { AIA_CA_ISSUERS, AIA_OCSP, EXT, EXT_KEY_USAGES, KEY_USAGE_BITS, QUALIFIER_CPS, QUALIFIER_USER_NOTICE } from "./oids.js";
import { parseName } from "./x509-name.js";
import type {
  ZCryptoExtKeyUsage,
  ZCryptoExtensions,
  ZCryptoGeneralNames,
  ZCryptoKeyUsage,
  ZCryptoNameConstraints,
  ZCryptoPolicy,
  ZCryptoSct,
  ZCryptoSubtreeIp,
} from "./x509-types.js";

export interface RawExtension {
  oid: string;
  critical: boolean;
  /** The extnValue OCTET STRING's content. */
  value: Uint8Array;
  tlv: Tlv;
}

/** Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
export function readExtension(buf: Uint8Array, ext: Tlv): RawExtension {
  expectChild(ext, TAG.SEQUENCE, "extension");
  const parts = children(buf, ext);
  const oid = readOid(buf, parts[0], "extension id");
  let i = 1;
  let critical = false;
  if (isUniversal(parts[i], TAG.BOOLEAN)) critical = decodeBoolean(buf, parts[i++]!);
  const value = expectChild(parts[i], TAG.OCTET_STRING, "extension value");
  return { oid, critical, value: content(buf, value), tlv: ext };
}

export interface DecodedExtensions {
  extensions: ZCryptoExtensions;
  unknown: Array<{ id: string; critical: boolean; value: string }>;
  /** Policy OIDs, for the validation level. */
  policies: string[] | undefined;
}

export function decodeExtensions(exts: RawExtension[]): DecodedExtensions {
  const extensions: ZCryptoExtensions = {};
  const unknown: DecodedExtensions["unknown"] = [];
  let policies: string[] | undefined;
  for (const ext of exts) {
    const v = ext.value;
    try {
      switch (ext.oid) {
        case EXT.KEY_USAGE:
          extensions.key_usage = keyUsage(v);
          break;
        case EXT.BASIC_CONSTRAINTS:
          extensions.basic_constraints = basicConstraints(v);
          break;
        case EXT.SUBJECT_ALT_NAME:
          extensions.subject_alt_name = generalNames(v, root(v, TAG.SEQUENCE, "subject alt name"));
          break;
        case EXT.ISSUER_ALT_NAME:
          extensions.issuer_alt_name = generalNames(v, root(v, TAG.SEQUENCE, "issuer alt name"));
          break;
        case EXT.NAME_CONSTRAINTS:
          extensions.name_constraints = nameConstraints(v, ext.critical);
          break;
        case EXT.CRL_DISTRIBUTION_POINTS:
          extensions.crl_distribution_points = crlDistributionPoints(v);
          break;
        case EXT.AUTHORITY_KEY_ID:
          extensions.authority_key_id = authorityKeyId(v);
          break;
        case EXT.SUBJECT_KEY_ID:
          extensions.subject_key_id = hex(content(v, root(v, TAG.OCTET_STRING, "subject key id")));
          break;
        case EXT.EXT_KEY_USAGE:
          extensions.extended_key_usage = extKeyUsage(v);
          break;
        case EXT.CERTIFICATE_POLICIES:
          extensions.certificate_policies = certificatePolicies(v);
          policies = extensions.certificate_policies.map((p) => p.id);
          break;
        case EXT.AUTHORITY_INFO_ACCESS:
          extensions.authority_info_access = authorityInfoAccess(v);
          break;
        case EXT.CT_POISON:
          extensions.ct_poison = true;
          break;
        case EXT.SCT_LIST:
          extensions.signed_certificate_timestamps = sctList(content(v, root(v, TAG.OCTET_STRING, "SCT list")));
          break;
        default:
          unknown.push(raw(ext));
      }
    } catch (err) {
      if (!(err instanceof ProbeError)) throw err;
      unknown.push(raw(ext));
    }
  }
  return { extensions, unknown, policies };
}

function raw(ext: RawExtension) {
  return { id: ext.oid, critical: ext.critical, value: Buffer.from(ext.value).toString("base64") };
}

/** The single element an extension value holds. */
function root(v: Uint8Array, tag: number, what: string): Tlv {
  const t = readTlv(v, 0);
  if (!isUniversal(t, tag)) throw derError(`${what}: unexpected tag`);
  return t;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("base64");
}

function keyUsage(v: Uint8Array): ZCryptoKeyUsage {
  const bits = bitStringBytes(v, root(v, TAG.BIT_STRING, "key usage"));
  const flags: Partial<Record<(typeof KEY_USAGE_BITS)[number], true>> = {};
  let value = 0;
  KEY_USAGE_BITS.forEach((flag, i) => {
    if ((bits[i >> 3] ?? 0) & (0x80 >> (i & 7))) {
      flags[flag] = true;
      value |= 1 << i;
    }
  });
  return { ...flags, value };
}

function basicConstraints(v: Uint8Array): { is_ca: boolean; max_path_len?: number } {
  const parts = children(v, root(v, TAG.SEQUENCE, "basic constraints"));
  let i = 0;
  const isCa = isUniversal(parts[i], TAG.BOOLEAN) ? decodeBoolean(v, parts[i++]!) : false;
  const out: { is_ca: boolean; max_path_len?: number } = { is_ca: isCa };
  if (isUniversal(parts[i], TAG.INTEGER)) out.max_path_len = Number(decodeInteger(content(v, parts[i]!), 8));
  return out;
}

/** GeneralNames ::= SEQUENCE OF GeneralName (a CHOICE of context tags 0-8). */
function generalNames(buf: Uint8Array, seq: Tlv): ZCryptoGeneralNames {
  const out: ZCryptoGeneralNames = {};
  for (const gn of children(buf, seq)) addGeneralName(buf, gn, out);
  return out;
}

function addGeneralName(buf: Uint8Array, gn: Tlv, out: ZCryptoGeneralNames): void {
  if (gn.cls !== 2) throw derError("general name is not context-tagged");
  switch (gn.num) {
    case 0: {
      // otherName [0] { type-id OID, value [0] EXPLICIT ANY }: zcrypto records the inner bytes.
      const [id, val] = children(buf, gn);
      (out.other_names ??= []).push({ id: readOid(buf, id, "other name id"), value: val ? b64(content(buf, val)) : "" });
      break;
    }
    case 1:
      (out.email_addresses ??= []).push(asciiOf(buf, gn));
      break;
    case 2:
      (out.dns_names ??= []).push(asciiOf(buf, gn));
      break;
    case 4: {
      const inner = readTlv(buf, gn.start, gn.end);
      (out.directory_names ??= []).push(parseName(buf, inner).name);
      break;
    }
    case 5: {
      const edi: { name_assigner?: string; party_name?: string } = {};
      for (const part of children(buf, gn)) {
        const text = part.constructed ? decodeString(buf, readTlv(buf, part.start, part.end)) : undefined;
        if (part.num === 0 && text !== undefined) edi.name_assigner = text;
        if (part.num === 1 && text !== undefined) edi.party_name = text;
      }
      (out.edi_party_names ??= []).push(edi);
      break;
    }
    case 6:
      (out.uniform_resource_identifiers ??= []).push(asciiOf(buf, gn));
      break;
    case 7: {
      // Only 4- or 16-byte addresses are addresses; anything else is dropped (Go would reject the cert).
      const ip = formatIp(content(buf, gn));
      if (ip !== undefined) (out.ip_addresses ??= []).push(ip);
      break;
    }
    case 8:
      (out.registered_ids ??= []).push(decodeOid(content(buf, gn)));
      break;
    default:
      // x400Address [3] and unknown tags: nothing zcrypto reports.
      break;
  }
}

function nameConstraints(v: Uint8Array, critical: boolean): ZCryptoNameConstraints {
  const out: ZCryptoNameConstraints = { critical };
  for (const part of children(v, root(v, TAG.SEQUENCE, "name constraints"))) {
    if (!isContext(part, 0) && !isContext(part, 1)) continue;
    const kind = part.num === 0 ? "permitted" : "excluded";
    for (const subtree of children(v, part)) {
      expectChild(subtree, TAG.SEQUENCE, "general subtree");
      const base = children(v, subtree)[0];
      if (!base || base.cls !== 2) throw derError("general subtree without a base name");
      if (base.num === 1) (out[`${kind}_email_addresses`] ??= []).push(asciiOf(v, base));
      else if (base.num === 2) (out[`${kind}_names`] ??= []).push(asciiOf(v, base));
      else if (base.num === 4) (out[`${kind}_directory_names`] ??= []).push(parseName(v, readTlv(v, base.start, base.end)).name);
      else if (base.num === 7) {
        const range = ipSubtree(content(v, base));
        if (range) (out[`${kind}_ip_addresses`] ??= []).push(range);
      }
    }
  }
  return out;
}

/** An address+mask pair as zcrypto prints a GeneralSubtreeIP (Go's net.IPNet). */
function ipSubtree(bytes: Uint8Array): ZCryptoSubtreeIp | undefined {
  if (bytes.length !== 8 && bytes.length !== 32) return undefined;
  const half = bytes.length / 2;
  const ip = bytes.subarray(0, half);
  const mask = bytes.subarray(half);
  const prefix = prefixLength(mask);
  const ipText = formatIp(ip, false)!;
  const begin = ip.map((b, i) => b & mask[i]!);
  const end = ip.map((b, i) => b | (~mask[i]! & 0xff));
  return {
    cidr: prefix === undefined ? `${ipText}/${hex(mask)}` : `${ipText}/${prefix}`,
    begin: formatIp(begin, false)!,
    end: formatIp(end, false)!,
    mask: formatIp(mask, false)!,
  };
}

function prefixLength(mask: Uint8Array): number | undefined {
  let n = 0;
  let seenZero = false;
  for (const b of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      if (b & (1 << bit)) {
        if (seenZero) return undefined;
        n++;
      } else seenZero = true;
    }
  }
  return n;
}

/** CRLDistributionPoints: the URIs of every distributionPoint's fullName, as zcrypto lists them. */
function crlDistributionPoints(v: Uint8Array): string[] {
  const out: string[] = [];
  for (const dp of children(v, root(v, TAG.SEQUENCE, "CRL distribution points"))) {
    expectChild(dp, TAG.SEQUENCE, "distribution point");
    const name = children(v, dp).find((t) => isContext(t, 0));
    if (!name) continue;
    const fullName = children(v, name).find((t) => isContext(t, 0));
    if (!fullName) continue;
    for (const gn of children(v, fullName)) if (isContext(gn, 6)) out.push(asciiOf(v, gn));
  }
  return out;
}

function authorityKeyId(v: Uint8Array): string | undefined {
  const keyId = children(v, root(v, TAG.SEQUENCE, "authority key id")).find((t) => isContext(t, 0));
  return keyId ? hex(content(v, keyId)) : undefined;
}

function extKeyUsage(v: Uint8Array): ZCryptoExtKeyUsage {
  const out: ZCryptoExtKeyUsage = {};
  for (const t of children(v, root(v, TAG.SEQUENCE, "extended key usage"))) {
    const oid = readOid(v, t, "key purpose");
    const flag = EXT_KEY_USAGES[oid];
    if (flag) out[flag] = true;
    else (out.unknown ??= []).push(oid);
  }
  return out;
}

function certificatePolicies(v: Uint8Array): ZCryptoPolicy[] {
  const out: ZCryptoPolicy[] = [];
  for (const info of children(v, root(v, TAG.SEQUENCE, "certificate policies"))) {
    expectChild(info, TAG.SEQUENCE, "policy information");
    const [idTlv, qualifiers] = children(v, info);
    const policy: ZCryptoPolicy = { id: readOid(v, idTlv, "policy id") };
    if (isUniversal(qualifiers, TAG.SEQUENCE)) {
      for (const q of children(v, qualifiers)) {
        expectChild(q, TAG.SEQUENCE, "policy qualifier");
        const [qid, qval] = children(v, q);
        const qualifierId = readOid(v, qid, "policy qualifier id");
        if (qualifierId === QUALIFIER_CPS && qval) (policy.cps ??= []).push(asciiOf(v, qval));
        else if (qualifierId === QUALIFIER_USER_NOTICE && isUniversal(qval, TAG.SEQUENCE)) {
          (policy.user_notice ??= []).push(userNotice(v, qval));
        }
      }
    }
    out.push(policy);
  }
  return out;
}

/** UserNotice ::= SEQUENCE { noticeRef NoticeReference OPTIONAL, explicitText DisplayText OPTIONAL }. */
function userNotice(v: Uint8Array, seq: Tlv): NonNullable<ZCryptoPolicy["user_notice"]>[number] {
  const notice: NonNullable<ZCryptoPolicy["user_notice"]>[number] = {};
  for (const part of children(v, seq)) {
    if (isUniversal(part, TAG.SEQUENCE)) {
      const [org, numbers] = children(v, part);
      const ref: { organization?: string; notice_numbers?: number[] } = {};
      const orgText = org ? decodeString(v, org) : undefined;
      if (orgText !== undefined) ref.organization = orgText;
      if (isUniversal(numbers, TAG.SEQUENCE)) {
        ref.notice_numbers = children(v, numbers).map((n) => Number(decodeInteger(content(v, expectChild(n, TAG.INTEGER, "notice number")), 8)));
      }
      (notice.notice_reference ??= []).push(ref);
    } else {
      const text = decodeString(v, part);
      if (text !== undefined) notice.explicit_text = text;
    }
  }
  return notice;
}

function authorityInfoAccess(v: Uint8Array): { ocsp_urls?: string[]; issuer_urls?: string[] } {
  const out: { ocsp_urls?: string[]; issuer_urls?: string[] } = {};
  for (const desc of children(v, root(v, TAG.SEQUENCE, "authority info access"))) {
    expectChild(desc, TAG.SEQUENCE, "access description");
    const [method, location] = children(v, desc);
    const oid = readOid(v, method, "access method");
    if (!isContext(location, 6)) continue;
    if (oid === AIA_OCSP) (out.ocsp_urls ??= []).push(asciiOf(v, location));
    else if (oid === AIA_CA_ISSUERS) (out.issuer_urls ??= []).push(asciiOf(v, location));
  }
  return out;
}

/** RFC 6962 SignedCertificateTimestampList: TLS-encoded, every length checked against what is left. */
function sctList(data: Uint8Array): ZCryptoSct[] {
  const u16 = (p: number) => {
    if (p + 2 > data.length) throw derError("truncated SCT list");
    return (data[p]! << 8) | data[p + 1]!;
  };
  const total = u16(0);
  if (2 + total > data.length) throw derError("SCT list length runs past its extension");
  const out: ZCryptoSct[] = [];
  for (let p = 2; p < 2 + total; ) {
    const len = u16(p);
    const start = p + 2;
    const end = start + len;
    if (end > 2 + total || len < 1 + 32 + 8 + 2) throw derError("bad SCT length");
    const version = data[start]!;
    const logId = data.subarray(start + 1, start + 33);
    const ts = Buffer.from(data.buffer, data.byteOffset + start + 33, 8).readBigUInt64BE(0);
    const extLen = u16(start + 41);
    const sigStart = start + 43 + extLen;
    if (sigStart > end) throw derError("bad SCT extensions length");
    const sct: ZCryptoSct = { version, log_id: b64(logId), timestamp: Number(ts), signature: b64(data.subarray(sigStart, end)) };
    if (extLen > 0) sct.extensions = b64(data.subarray(start + 43, sigStart));
    out.push(sct);
    p = end;
  }
  return out;
}
