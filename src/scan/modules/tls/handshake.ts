/**
 * One TLS handshake with a target and what it reveals: version, cipher, ALPN, key exchange, and every
 * certificate the server sent, parsed. Nothing is sent after the handshake; the connection is closed.
 */
import type { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { outcomeFromError } from "../io.js";
import { ProbeError, type ScanContext, type ScanOutcome, type Target } from "../types.js";
import type { TlsOptions } from "./options.js";
import { certificateRecord, type CertificateRecord } from "./x509.js";

export interface TlsValidation {
  /** The chain verifies to a root in Node's bundled (Mozilla) store; the host name is not part of it. */
  browser_trusted: boolean;
  /** OpenSSL's reason when not trusted, e.g. DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED. */
  browser_error?: string;
  /** Whether the leaf is valid for the server name sent (only when SNI was sent). */
  matches_domain?: boolean;
}

export interface TlsServerCertificates {
  certificate: CertificateRecord;
  /** The certificates the server sent after the leaf, in the order sent (duplicates and strays included). */
  chain: CertificateRecord[];
  /** Set when the chain was cut at 32 certificates or at the byte cap. */
  chain_truncated?: true;
  validation: TlsValidation;
}

export interface TlsServerHello {
  /** zcrypto spelling: SSLv3, TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3; value is the wire number (771 = TLS 1.2). */
  version: { name: string; value?: number };
  /** name: IANA/RFC name (what ZGrab2 and Shadowserver print); openssl_name: OpenSSL's; version: the suite's minimum protocol. */
  cipher_suite: { name: string; openssl_name: string; version: string };
  alpn_protocol?: string;
  /** Always false: the scanner never offers a session to resume. */
  session_resumed: boolean;
}

export interface TlsHandshakeLog {
  server_hello: TlsServerHello;
  /** The (EC)DHE key the server chose: type ECDH/DH, curve name, size in bits. Absent for RSA key exchange and TLS 1.3 PSK. */
  ephemeral_key?: { type: string; name?: string; size?: number };
  server_certificates?: TlsServerCertificates;
}

export interface TlsConnection {
  /** SNI sent in the ClientHello; absent when none was sent. */
  server_name?: string;
  /** From the dial to the finished handshake: TCP connect plus TLS, in milliseconds. */
  handshake_time_ms: number;
  handshake_log: TlsHandshakeLog;
}

const VERSION_NUMBERS: Record<string, { name: string; value: number }> = {
  SSLv3: { name: "SSLv3", value: 0x0300 },
  TLSv1: { name: "TLSv1.0", value: 0x0301 },
  "TLSv1.1": { name: "TLSv1.1", value: 0x0302 },
  "TLSv1.2": { name: "TLSv1.2", value: 0x0303 },
  "TLSv1.3": { name: "TLSv1.3", value: 0x0304 },
};

/** A chain longer than this is a hostile server, not a PKI. */
const MAX_CHAIN = 32;

export async function handshake(target: Target, ctx: ScanContext, opts: TlsOptions, serverName?: string): Promise<ScanOutcome<TlsConnection>> {
  const started = performance.now();
  let socket: TLSSocket | undefined;
  try {
    socket = (await ctx.dial(target, {
      tls: {
        ...(serverName ? { servername: serverName } : {}),
        ...(opts.alpn ? { ALPNProtocols: opts.alpn } : {}),
        minVersion: opts.minVersion,
        maxVersion: opts.maxVersion,
        ciphers: opts.ciphers,
        // `authorized` then reflects the chain alone; the name is checked separately (matches_domain).
        checkServerIdentity: () => undefined,
      },
    })) as TLSSocket;
    // The context drops its error listener once connected; a late reset must not become an uncaught error.
    socket.on("error", () => {});
    const elapsed = Math.round((performance.now() - started) * 100) / 100;
    const result = describe(socket, serverName, elapsed, ctx.maxReadBytes);
    if (!result.handshake_log.server_certificates) {
      return { status: "protocol-error", error: "the server sent no certificate", result };
    }
    return { status: "success", result };
  } catch (err) {
    return outcomeFromError(err instanceof ProbeError ? new ProbeError(err.status, oneLine(err.message)) : err);
  } finally {
    socket?.destroy();
  }
}

function describe(socket: TLSSocket, serverName: string | undefined, elapsedMs: number, maxBytes: number): TlsConnection {
  const protocol = socket.getProtocol() ?? "unknown";
  const cipher = socket.getCipher();
  const hello: TlsServerHello = {
    version: VERSION_NUMBERS[protocol] ?? { name: protocol },
    cipher_suite: { name: cipher.standardName, openssl_name: cipher.name, version: cipher.version },
    session_resumed: socket.isSessionReused(),
  };
  if (typeof socket.alpnProtocol === "string") hello.alpn_protocol = socket.alpnProtocol;
  const log: TlsHandshakeLog = { server_hello: hello };
  const ephemeral = socket.getEphemeralKeyInfo();
  if (ephemeral && "type" in ephemeral && ephemeral.type) {
    log.ephemeral_key = { type: ephemeral.type, ...("name" in ephemeral && ephemeral.name ? { name: ephemeral.name } : {}), size: ephemeral.size };
  }
  const certificates = serverCertificates(socket, serverName, maxBytes);
  if (certificates) log.server_certificates = certificates;
  return { ...(serverName ? { server_name: serverName } : {}), handshake_time_ms: elapsedMs, handshake_log: log };
}

function serverCertificates(socket: TLSSocket, serverName: string | undefined, maxBytes: number): TlsServerCertificates | undefined {
  const sent = peerChain(socket, maxBytes);
  const leaf = sent.certs[0];
  if (!leaf) return undefined;
  const records = chainRecords(sent.certs);
  const validation: TlsValidation = { browser_trusted: socket.authorized };
  if (!socket.authorized && socket.authorizationError) validation.browser_error = errorText(socket.authorizationError);
  if (serverName) validation.matches_domain = coversName(leaf, serverName);
  return {
    certificate: records[0]!,
    chain: records.slice(1),
    ...(sent.truncated ? { chain_truncated: true as const } : {}),
    validation,
  };
}

/**
 * The certificates exactly as the server sent them. getPeerX509Certificate()'s issuerCertificate links
 * follow the peer's certificate list in order and end with undefined; the legacy getPeerCertificate(true)
 * instead re-orders, drops strays and appends roots from the local trust store, which a scan must not
 * record as sent. The walk is bounded anyway, in count and bytes, in case a link ever points back.
 */
function peerChain(socket: TLSSocket, maxBytes: number): { certs: X509Certificate[]; truncated: boolean } {
  const certs: X509Certificate[] = [];
  let bytes = 0;
  let cert: X509Certificate | undefined = socket.getPeerX509Certificate();
  while (cert) {
    if (certs.length === MAX_CHAIN || bytes + cert.raw.length > maxBytes) return { certs, truncated: true };
    certs.push(cert);
    bytes += cert.raw.length;
    const next: X509Certificate | undefined = cert.issuerCertificate;
    if (next === cert) break;
    cert = next;
  }
  return { certs, truncated: false };
}

/**
 * Parsed records of a chain, cached by the chain's SHA-256 fingerprints: a scan meets the same few chains
 * (one device model, one hosting provider) thousands of times, and parsing plus the signature checks cost
 * about a millisecond of CPU per chain. The cached records are final (signature flags set) and are never
 * mutated afterwards: the engine copies a result into its record (output.ts jsonSafe). The key is the
 * whole chain because signature.valid depends on which other certificates were sent with one.
 */
const chainCache = new Map<string, CertificateRecord[]>();
const CHAIN_CACHE_MAX = 1024;

function chainRecords(certs: X509Certificate[]): CertificateRecord[] {
  const key = certs.map((c) => c.fingerprint256).join("|");
  const hit = chainCache.get(key);
  if (hit) return hit;
  const records = certs.map((c) => certificateRecord(c.raw));
  markSignedBySentIssuer(certs, records);
  // Bounded: a scan of many distinct chains simply starts the cache over.
  if (chainCache.size >= CHAIN_CACHE_MAX) chainCache.clear();
  chainCache.set(key, records);
  return records;
}

/** zcrypto's signature.valid: true when another certificate the server sent is the issuer and verifies it. */
function markSignedBySentIssuer(certs: X509Certificate[], records: CertificateRecord[]): void {
  certs.forEach((cert, i) => {
    const parsed = records[i]?.parsed;
    if (!parsed || parsed.signature.valid) return;
    parsed.signature.valid = certs.some((issuer, j) => {
      if (j === i) return false;
      try {
        return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
      } catch {
        return false;
      }
    });
  });
}

function coversName(leaf: X509Certificate, name: string): boolean {
  try {
    return leaf.checkHost(name) !== undefined;
  } catch {
    return false; // a name OpenSSL refuses to compare is not covered
  }
}

function errorText(e: unknown): string {
  if (typeof e === "string") return e;
  if (e instanceof Error) return (e as NodeJS.ErrnoException).code ?? e.message;
  return String(e);
}

/**
 * OpenSSL's error text is "<code>: <id>:error:<lib>:<func>:<reason>:<file>:<line>:[SSL alert number N]",
 * sometimes over several lines; keep the code, the reasons and the alert number, on one line.
 */
export function oneLine(message: string): string {
  const reasons: string[] = [];
  let head = "";
  for (const line of message.split("\n").map((l) => l.trim())) {
    if (line.length === 0) continue;
    const m = /^(?:(\S+): )?[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(line);
    if (!m) reasons.push(line.replace(/\s*SSL alert number \d+$/, ""));
    else {
      if (m[1] && !head) head = m[1];
      reasons.push(m[2]!);
    }
  }
  const alert = /SSL alert number (\d+)/.exec(message)?.[1];
  const text = [head ? `${head}:` : "", reasons.filter(Boolean).join("; "), alert ? `(alert ${alert})` : ""].filter(Boolean).join(" ");
  return text.length > 0 ? text : message.replace(/\s+/g, " ").trim();
}
