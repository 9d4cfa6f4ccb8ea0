/**
 * The TLS module's flags, read from ctx.options (values may arrive as strings from the CLI).
 */
import type { SecureVersion } from "node:tls";
import type { ModuleFlag, ModuleOptions } from "../types.js";

/**
 * Everything OpenSSL still implements except anonymous and null ciphers (a server choosing those sends no
 * certificate), at security level 0 so that TLS 1.0/1.1, SHA-1 signatures and 1024-bit keys — common on
 * devices — still complete the handshake. Recording what a weak server offers is the point.
 */
export const DEFAULT_CIPHERS = "ALL:!aNULL:!eNULL:@SECLEVEL=0";

const VERSIONS: readonly SecureVersion[] = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

export const tlsFlags: readonly ModuleFlag[] = [
  { name: "tls-sni", value: "<name>", description: "server name to send (SNI); default: the target's domain when it has one, else none" },
  { name: "tls-sni-both", description: "handshake twice, without and with SNI, and record both", default: false },
  { name: "tls-min-version", value: "<version>", description: "lowest version offered: TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3", default: "TLSv1" },
  { name: "tls-max-version", value: "<version>", description: "highest version offered", default: "TLSv1.3" },
  { name: "tls-alpn", value: "<protocols>", description: "comma-separated ALPN protocols to offer, e.g. h2,http/1.1 (default: no ALPN)" },
  { name: "tls-ciphers", value: "<list>", description: "OpenSSL cipher list for TLS 1.2 and older", default: DEFAULT_CIPHERS },
];

export interface TlsOptions {
  sni?: string;
  sniBoth: boolean;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  alpn?: string[];
  ciphers: string;
}

/** Throws a plain Error for an invalid flag value: that is a usage error, not peer behaviour. */
export function readTlsOptions(options: ModuleOptions): TlsOptions {
  const minVersion = version(options.tlsMinVersion, "TLSv1", "tls-min-version");
  const maxVersion = version(options.tlsMaxVersion, "TLSv1.3", "tls-max-version");
  if (VERSIONS.indexOf(minVersion) > VERSIONS.indexOf(maxVersion)) {
    throw new Error(`--tls-min-version ${minVersion} is above --tls-max-version ${maxVersion}`);
  }
  const sni = text(options.tlsSni);
  if (sni && isIpLiteral(sni)) throw new Error(`--tls-sni takes a host name; RFC 6066 forbids IP addresses (${sni})`);
  const alpn = text(options.tlsAlpn)
    ?.split(",")
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  for (const p of alpn ?? []) if (p.length > 255) throw new Error(`--tls-alpn protocol longer than 255 bytes: ${p.slice(0, 20)}...`);
  return {
    ...(sni ? { sni } : {}),
    sniBoth: flag(options.tlsSniBoth),
    minVersion,
    maxVersion,
    ...(alpn && alpn.length > 0 ? { alpn } : {}),
    ciphers: text(options.tlsCiphers) ?? DEFAULT_CIPHERS,
  };
}

/** Dotted IPv4 or anything with a colon (IPv6): never a server name. */
export function isIpLiteral(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(":");
}

function text(v: ModuleOptions[string]): string | undefined {
  if (v === undefined || v === false) return undefined;
  const s = String(v).trim();
  return s.length > 0 ? s : undefined;
}

function flag(v: ModuleOptions[string]): boolean {
  if (typeof v === "string") return !["", "0", "false", "no", "off"].includes(v.trim().toLowerCase());
  return Boolean(v);
}

function version(v: ModuleOptions[string], fallback: SecureVersion, name: string): SecureVersion {
  const s = text(v);
  if (s === undefined) return fallback;
  // Accept "TLSv1.0" and "1.2" as well as Node's spelling.
  const normalized = (s.startsWith("TLSv") ? s : `TLSv${s}`).replace(/^TLSv1\.0$/, "TLSv1");
  const found = VERSIONS.find((x) => x === normalized);
  if (!found) throw new Error(`--${name}: expected one of ${VERSIONS.join(", ")}, got ${s}`);
  return found;
}
