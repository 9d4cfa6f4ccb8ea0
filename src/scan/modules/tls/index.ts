/**
 * TLS certificates (ZGrab2's `tls` module): one handshake per target — two with --tls-sni-both — recording
 * the negotiated parameters and every certificate the server sent, parsed into zcrypto's JSON shape.
 */
import type { ScanModule, ScanStatus } from "../types.js";
import { handshake, type TlsConnection } from "./handshake.js";
import { isIpLiteral, readTlsOptions, tlsFlags } from "./options.js";

export interface TlsSniAttempt extends Partial<TlsConnection> {
  status: ScanStatus;
  error?: string;
  server_name: string;
}

/**
 * The connection's fields at the top level (ZGrab2's `handshake_log` path), plus `with_sni` when
 * --tls-sni-both made a second handshake with the server name.
 */
export interface TlsResult extends Partial<TlsConnection> {
  with_sni?: TlsSniAttempt;
}

/** Without a server to talk to, a second handshake would only add traffic. */
const NOTHING_LISTENING: ReadonlySet<ScanStatus> = new Set(["connection-refused", "blocklisted-target"]);

/** RFC 6066 forbids IP literals as server names (Node warns and drops them); a domain that is one gives no SNI. */
function sniCandidate(domain: string | undefined): string | undefined {
  return domain && !isIpLiteral(domain) ? domain : undefined;
}

export const tlsModule: ScanModule<TlsResult> = {
  name: "tls",
  description: "TLS handshake: protocol version, cipher and the server's certificate chain, parsed like zcrypto",
  transport: "tcp",
  defaultPort: 443,
  flags: tlsFlags,
  async scan(target, ctx) {
    const opts = readTlsOptions(ctx.options);
    const name = opts.sni ?? sniCandidate(target.domain);
    if (!opts.sniBoth || !name) return handshake(target, ctx, opts, name);

    const plain = await handshake(target, ctx, opts, undefined);
    if (NOTHING_LISTENING.has(plain.status) || ctx.signal.aborted) return plain;
    const sni = await handshake(target, ctx, opts, name);
    const withSni: TlsSniAttempt = {
      status: sni.status,
      ...(sni.error ? { error: sni.error } : {}),
      ...sni.result,
      server_name: name,
    };
    // The status stays the SNI-less handshake's; the SNI attempt carries its own.
    return { ...plain, result: { ...plain.result, with_sni: withSni } };
  },
};

export { readTlsOptions, tlsFlags, DEFAULT_CIPHERS, type TlsOptions } from "./options.js";
export { handshake } from "./handshake.js";
export type { TlsConnection, TlsHandshakeLog, TlsServerHello, TlsServerCertificates, TlsValidation } from "./handshake.js";
export { parseCertificate, certificateRecord } from "./x509.js";
export type * from "./x509-types.js";
export { shadowserverColumns, shadowserverColumnsElsewhere, type ShadowserverSslColumns } from "./shadowserver.js";
