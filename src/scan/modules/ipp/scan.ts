/**
 * One IPP probe: Get-Printer-Attributes over HTTP/1.1 POST, one request per connection, falling back to
 * the next resource path while the printer says "not found" and to the next IPP version while it says
 * "version not supported" or "bad request" (paths × versions is bounded: at most paths + versions − 1 requests).
 */
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { SocketReader, writeAll } from "../io.js";
import { ProbeError, type ScanContext, type ScanOutcome, type Target } from "../types.js";
import { decodeIppMessagePartial, setOwn, type IppMessage } from "./decode.js";
import { encodeGetPrinterAttributes, formatIppVersion, type IppVersion } from "./encode.js";
import { buildHttpPost, decodeContentEncoding, headerValue, readHttpResponse, type HttpResponse } from "./http.js";
import { parseIppOptions, type IppOptions } from "./options.js";
import type { IppResult, IppTry } from "./result.js";
import { describeResponse, versionFields } from "./summary.js";
import { isSuccessStatus, STATUS_BAD_REQUEST, STATUS_NOT_FOUND, STATUS_VERSION_NOT_SUPPORTED, statusName } from "./tags.js";

interface Exchange {
  path: string;
  version: IppVersion;
  printerUri: string;
  connected: boolean;
  tls?: { version?: string; cipher?: string };
  response?: HttpResponse;
  /** The IPP message, when the body was one (possibly partial: see decodeError). */
  message?: IppMessage;
  decodeError?: string;
  /** Why the exchange failed: dial, write, read, or a body that broke off. */
  error?: ProbeError;
}

export async function scanIpp(target: Target, ctx: ScanContext): Promise<ScanOutcome<IppResult>> {
  const opts = parseIppOptions(ctx.options);
  const exchanges: Exchange[] = [];
  const tries: IppTry[] = [];
  let pathIndex = 0;
  let versionIndex = 0;
  for (;;) {
    const ex = await exchange(target, ctx, opts, opts.paths[pathIndex]!, opts.versions[versionIndex]!, exchanges.length + 1);
    exchanges.push(ex);
    const step = nextStep(ex);
    tries.push(describeTry(ex, step));
    if (ctx.signal.aborted) break;
    if (step === "next-version" && versionIndex + 1 < opts.versions.length) versionIndex++;
    else if (step === "next-path" && pathIndex + 1 < opts.paths.length) pathIndex++;
    else break;
  }
  return outcome(exchanges, tries, opts);
}

async function exchange(target: Target, ctx: ScanContext, opts: IppOptions, path: string, version: IppVersion, requestId: number): Promise<Exchange> {
  const authority = hostPort(target);
  const printerUri = `${opts.tls ? "ipps" : "ipp"}://${authority}${path}`;
  const ex: Exchange = { path, version, printerUri, connected: false };
  const request = buildHttpPost({
    path,
    host: authority,
    userAgent: opts.userAgent,
    contentType: "application/ipp",
    body: encodeGetPrinterAttributes({ version, requestId, printerUri }),
  });
  let socket: Socket | TLSSocket | undefined;
  try {
    socket = await ctx.dial(target, opts.tls ? { tls: tlsOptions(target) } : undefined);
    ex.connected = true;
    if (opts.tls) ex.tls = tlsInfo(socket as TLSSocket);
    const reader = new SocketReader(socket, ctx.maxReadBytes);
    const deadline = Date.now() + ctx.readTimeoutMs;
    await writeAll(socket, request);
    ex.response = await readHttpResponse(reader, deadline, ctx.maxReadBytes);
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    ex.error = err;
  } finally {
    socket?.destroy();
  }
  if (ex.response) interpret(ex, ex.response, ctx.maxReadBytes);
  return ex;
}

/** Decides whether the HTTP body is an IPP message and decodes it (partially, if it is broken). */
function interpret(ex: Exchange, r: HttpResponse, maxBytes: number): void {
  if (r.error) ex.error = r.error;
  let body = r.body;
  if (r.complete) {
    try {
      body = decodeContentEncoding(r.head, r.body, maxBytes);
    } catch (err) {
      if (!(err instanceof ProbeError)) throw err;
      ex.error = err;
      return;
    }
  }
  const decoded = decodeIppMessagePartial(body);
  // Content-Type "application/ipp" (with parameters, or "application/ipp, public" as Virata-EmWeb sends,
  // or just "ipp" as Rapid Logic sends — both seen by ZGrab2), or, whatever the type says, a body that
  // decodes completely and starts with attributes-charset as every IPP response must (RFC 8011 §4.1.4).
  const mediaType = (headerValue(r.head, "content-type") ?? "").split(/[,;]/)[0]!.trim().toLowerCase();
  const declaredIpp = mediaType.startsWith("application/ipp") || mediaType.startsWith("ipp");
  const firstAttribute = decoded.message?.groups[0]?.attributes[0]?.name;
  const looksIpp = decoded.error === undefined && firstAttribute === "attributes-charset";
  if (!declaredIpp && !looksIpp) return;
  if (body.length === 0) {
    ex.decodeError = "empty IPP body";
    return;
  }
  ex.message = decoded.message;
  ex.decodeError = decoded.error;
}

type Step = "next-version" | "next-path" | "stop";

function nextStep(ex: Exchange): Step {
  if (!ex.response) return "stop";
  if (ex.message && ex.decodeError === undefined) {
    // Some 1.x-only printers reject a 2.0 request as a bad request rather than with 0x0503.
    if (ex.message.code === STATUS_VERSION_NOT_SUPPORTED || ex.message.code === STATUS_BAD_REQUEST) return "next-version";
    if (ex.message.code === STATUS_NOT_FOUND) return "next-path";
    return "stop";
  }
  if (ex.message) return "stop";
  // No IPP body: some embedded servers refuse an IPP version they do not know at the HTTP layer.
  const status = ex.response.head.status;
  if (status === 404) return "next-path";
  if (status === 400 || status === 505) return "next-version";
  return "stop";
}

function describeTry(ex: Exchange, step: Step): IppTry {
  const t: IppTry = { version: formatIppVersion(ex.version), path: ex.path };
  if (ex.response) t.http_status = ex.response.head.status;
  if (ex.message) {
    t.status_code = ex.message.code;
    t.status_name = statusName(ex.message.code);
  }
  if (ex.error) t.error = `${ex.error.status}: ${ex.error.message}`;
  else if (ex.decodeError) t.error = ex.decodeError;
  else if (step === "next-version") t.error = "version refused";
  else if (step === "next-path") t.error = "not found";
  return t;
}

function outcome(exchanges: Exchange[], tries: IppTry[], opts: IppOptions): ScanOutcome<IppResult> {
  const last = exchanges[exchanges.length - 1]!;
  // The answer to report: the last exchange that got an HTTP response (a later reconnect may have failed).
  const answered = [...exchanges].reverse().find((e) => e.response) ?? last;
  const result = exchanges.some((e) => e.connected) ? buildResult(answered, tries, opts) : undefined;
  const withResult = (o: ScanOutcome<IppResult>): ScanOutcome<IppResult> => (result ? { ...o, result } : o);

  if (last.error) return withResult({ status: last.error.status, error: last.error.message });
  const r = answered.response;
  if (!r) return withResult({ status: "unknown-error", error: "no response and no error" });
  if (!answered.message) {
    if (answered.decodeError) return withResult({ status: "protocol-error", error: `IPP: ${answered.decodeError}` });
    if (r.head.status !== 200) return withResult({ status: "application-error", error: `HTTP ${r.head.status} ${r.head.reason}`.trim() });
    const type = headerValue(r.head, "content-type") ?? "none";
    return withResult({ status: "protocol-error", error: `not an IPP response (HTTP 200, Content-Type ${type})` });
  }
  if (answered.decodeError) return withResult({ status: "protocol-error", error: answered.decodeError });
  const code = answered.message.code;
  if (isSuccessStatus(code)) return withResult({ status: "success" });
  const hex = `0x${code.toString(16).padStart(4, "0")}`;
  const tried = code === STATUS_VERSION_NOT_SUPPORTED ? ` after trying ${tries.map((t) => t.version).join(", ")}` : "";
  return withResult({ status: "application-error", error: `IPP ${statusName(code)} (${hex})${tried}` });
}

function buildResult(ex: Exchange, tries: IppTry[], opts: IppOptions): IppResult {
  const result: IppResult = {
    tls: opts.tls,
    ...(ex.tls?.version !== undefined ? { tls_version: ex.tls.version } : {}),
    ...(ex.tls?.cipher !== undefined ? { tls_cipher: ex.tls.cipher } : {}),
    printer_uri: ex.printerUri,
    path: ex.path,
    request_version: formatIppVersion(ex.version),
    tries,
  };
  const r = ex.response;
  if (!r) return result;
  result.http_status = r.head.status;
  result.http_reason = r.head.reason;
  result.http_headers = {};
  for (const [name] of r.head.headers) {
    if (!Object.hasOwn(result.http_headers, name)) setOwn(result.http_headers, name, headerValue(r.head, name)!);
  }
  const server = headerValue(r.head, "server");
  if (server !== undefined) result.server = server;
  const contentType = headerValue(r.head, "content-type");
  if (contentType !== undefined) result.content_type = contentType;
  result.body_bytes = r.body.length;
  result.body_complete = r.complete;
  if (ex.message) Object.assign(result, describeResponse(ex.message));
  if (ex.decodeError !== undefined) result.decode_error = ex.decodeError;
  Object.assign(result, versionFields(server, result));
  return result;
}

/** Authority for the Host header and the printer-uri: the target's name when known, else its address. */
function hostPort(target: Target): string {
  const host = target.domain ?? (target.v === 6 ? `[${target.ip}]` : target.ip);
  return `${host}:${target.port}`;
}

function tlsOptions(target: Target): { servername?: string } {
  // SNI only for names: Node refuses an IP address as servername.
  return target.domain && !/^[\d.]+$|:/.test(target.domain) ? { servername: target.domain } : {};
}

function tlsInfo(socket: TLSSocket): { version?: string; cipher?: string } {
  const out: { version?: string; cipher?: string } = {};
  const version = typeof socket.getProtocol === "function" ? socket.getProtocol() : null;
  if (version) out.version = version;
  const cipher = typeof socket.getCipher === "function" ? socket.getCipher()?.name : undefined;
  if (cipher) out.cipher = cipher;
  return out;
}
