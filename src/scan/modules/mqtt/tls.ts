/**
 * The few TLS facts an MQTT record carries (what Shadowserver's Open-MQTT report shows next to the
 * CONNACK). The TLS-certificate module records the full chain; this stays small on purpose.
 */
import type { Socket } from "node:net";
import type { ConnectionOptions, TLSSocket } from "node:tls";
import type { Target } from "../types.js";

export interface MqttTlsInfo {
  /** e.g. "TLSv1.3". */
  version?: string;
  /** IANA cipher suite name (Shadowserver's `cipher_suite`), e.g. "TLS_AES_256_GCM_SHA384". */
  cipher?: string;
  /** Leaf certificate SHA-256, colon-separated upper-case hex (Shadowserver's `sha256_fingerprint`). */
  cert_sha256?: string;
  subject_cn?: string;
  issuer_cn?: string;
}

/**
 * IoT brokers often run old TLS stacks: accept TLS 1.0 and every cipher OpenSSL still has, since a scanner
 * records what is offered rather than refusing to look. Certificates are never verified (the engine's dial).
 */
const baseTls: ConnectionOptions = { minVersion: "TLSv1", ciphers: "DEFAULT:@SECLEVEL=0" };

export function tlsOptions(target: Target): ConnectionOptions {
  // SNI only with a host name: Node warns on IP literals, and scanning by address sends none (like ZGrab2).
  return target.domain ? { ...baseTls, servername: target.domain } : baseTls;
}

export function tlsInfo(socket: Socket | TLSSocket): MqttTlsInfo {
  const s = socket as TLSSocket;
  if (typeof s.getProtocol !== "function") return {};
  const info: MqttTlsInfo = {};
  const version = s.getProtocol();
  if (version) info.version = version;
  const cipher = s.getCipher();
  if (cipher) info.cipher = cipher.standardName || cipher.name;
  const cert = s.getPeerCertificate(false);
  if (cert && cert.fingerprint256) {
    info.cert_sha256 = cert.fingerprint256;
    const subject = firstOf(cert.subject?.CN);
    const issuer = firstOf(cert.issuer?.CN);
    if (subject !== undefined) info.subject_cn = subject;
    if (issuer !== undefined) info.issuer_cn = issuer;
  }
  return info;
}

/** Node gives a string, or an array when the name has the attribute more than once. */
function firstOf(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
