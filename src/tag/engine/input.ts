/**
 * What the tagger is given, and which objects its rules see in it:
 * - a scan record (`{ip, port, module, data: {<module>: {status, result, …}}}`, ZGrab2's layout): rules
 *   for the module (and `any`) see `data.<module>.result`, whatever the status — a refusal or a
 *   partial answer still names the device (a `426` from CUPS, a broken block-wise CoAP listing), and a
 *   rule that wants only successes says `$status = "success"`; for a `tls` result, `x509` rules also
 *   see the leaf certificate's `parsed` object;
 * - a bare certificate (`{"raw"?: base64 DER, "parsed"?: zcrypto object}`): `x509` rules see `parsed`,
 *   parsed from `raw` with the scan pillar's parser when absent.
 */
import { parseCertificate } from "../../scan/index.js";
import type { Subject } from "../language/paths.js";

/** An input line the tagger cannot use; the CLI reports it with its line number and goes on. */
export class TagInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TagInputError";
  }
}

export interface KindSubject {
  kind: string;
  subject: Subject;
}

export interface ClassifiedInput {
  subjects: KindSubject[];
  port: number | undefined;
}

const NO_ENV: Readonly<Record<string, unknown>> = Object.freeze({});

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isCertificateInput(v: Record<string, unknown>): boolean {
  return !("data" in v) && ("parsed" in v || "raw" in v);
}

export function certificateSubject(cert: Record<string, unknown>): Subject {
  return { root: certificateRoot(cert), env: NO_ENV };
}

/** The zcrypto object x509 rules see in a bare certificate (`parsed`, or `raw` parsed). */
export function certificateRoot(cert: Record<string, unknown>): Record<string, unknown> {
  let parsed = cert.parsed;
  if (parsed === undefined || parsed === null) {
    if (typeof cert.raw !== "string") throw new TagInputError("certificate has neither `parsed` nor a base64 `raw`");
    try {
      parsed = parseCertificate(Buffer.from(cert.raw, "base64"));
    } catch (err) {
      throw new TagInputError(`certificate \`raw\` does not parse: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (!isObject(parsed)) throw new TagInputError("certificate `parsed` is not an object");
  return parsed;
}

/** What a bare certificate's rules see around it: nothing (no `$ip`, `$port`, …). */
export const NO_ENVELOPE = NO_ENV;

/** The leaf certificate of a TLS result (zcrypto layout), if it was parsed. */
function leafCertificate(result: Record<string, unknown>): Record<string, unknown> | undefined {
  const log = result.handshake_log;
  if (!isObject(log)) return undefined;
  const certs = log.server_certificates;
  if (!isObject(certs)) return undefined;
  const leaf = certs.certificate;
  if (!isObject(leaf)) return undefined;
  return isObject(leaf.parsed) ? leaf.parsed : undefined;
}

export function recordSubjects(record: Record<string, unknown>): ClassifiedInput {
  const data = record.data;
  if (!isObject(data)) throw new TagInputError("scan record without a `data` object");
  const port = typeof record.port === "number" ? record.port : undefined;
  const subjects: KindSubject[] = [];
  for (const [module, response] of Object.entries(data)) {
    if (!isObject(response)) throw new TagInputError(`scan record's data.${module} is not an object`);
    const env: Record<string, unknown> = {
      ip: record.ip,
      port: record.port,
      domain: record.domain,
      module,
      status: response.status ?? record.status,
      timestamp: response.timestamp ?? record.timestamp,
    };
    const result = response.result;
    if (!isObject(result)) continue;
    subjects.push({ kind: module, subject: { root: result, env } });
    const leaf = leafCertificate(result);
    if (leaf) subjects.push({ kind: "x509", subject: { root: leaf, env } });
  }
  return { subjects, port };
}

export function classifyInput(input: unknown): ClassifiedInput {
  if (!isObject(input)) throw new TagInputError(`expected a JSON object, got ${Array.isArray(input) ? "an array" : input === null ? "null" : typeof input}`);
  if ("data" in input) return recordSubjects(input);
  if (isCertificateInput(input)) return { subjects: [{ kind: "x509", subject: certificateSubject(input) }], port: undefined };
  throw new TagInputError("neither a scan record (with `data`) nor a certificate (with `parsed` or `raw`)");
}
