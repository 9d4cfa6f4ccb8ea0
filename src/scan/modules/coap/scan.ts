/**
 * The CoAP probe: a confirmable GET of /.well-known/core (RFC 6690 §4) with a random message id and a
 * 4-byte token, then block-wise follow-up when the server splits its answer.
 */
import { outcomeFromError } from "../io.js";
import type { ScanContext, ScanOutcome, Target } from "../types.js";
import { followBlocks } from "./blockwise.js";
import { CoapIo, transact, TransactionFailure } from "./exchange.js";
import { readCoapOptions } from "./options.js";
import { randomMessageId, randomToken } from "./random.js";
import { encodeGet, splitUri } from "./request.js";
import { amplification, describeMessage, describePayload, malformedHex, orderResult, PAYLOAD_CAP, type CoapResult } from "./result.js";

/** The block-wise follow-up may take this many read timeouts beyond the first response. */
const BLOCKWISE_TIME_FACTOR = 4;

export async function scanCoap(target: Target, ctx: ScanContext): Promise<ScanOutcome<CoapResult>> {
  const opts = readCoapOptions(ctx.options);
  if (typeof opts === "string") return { status: "unknown-error", error: opts };

  const uri = splitUri(opts.path);
  const messageId = randomMessageId();
  const token = randomToken(opts.tokenLength);
  const request = encodeGet({ messageId, token, target: uri, ...(opts.szx !== undefined ? { block2: { num: 0, szx: opts.szx } } : {}) });
  const result: CoapResult = {
    request: {
      path: opts.path,
      message_id: messageId,
      token: token.toString("hex"),
      ...(opts.szx !== undefined ? { block_size: 1 << (opts.szx + 4) } : {}),
    },
    request_size: request.length,
    response_size: 0,
    bytes_sent: 0,
    bytes_received: 0,
    datagrams_received: 0,
    ignored_datagrams: 0,
    retransmissions: 0,
  };

  const ex = ctx.udp(target);
  const io = new CoapIo(ex, ctx.maxReadBytes, ctx.signal);
  const onAbort = (): void => ex.close(); // wakes a pending receive; CoapIo then reports the abort
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const totals = (): CoapResult => {
    result.bytes_sent = io.stats.bytesSent;
    result.bytes_received = io.stats.bytesReceived;
    result.datagrams_received = io.stats.datagramsReceived;
    result.ignored_datagrams = io.stats.ignored;
    result.retransmissions = io.stats.retransmissions;
    return orderResult(result);
  };

  try {
    const tx = await transact(io, request, { messageId, token, budgetMs: ctx.readTimeoutMs, retries: opts.retries });
    result.response_size = tx.bytesReceived;
    const amp = amplification(tx.bytesReceived, request.length);
    if (amp !== undefined) result.amplification = amp;
    result.rtt_ms = tx.rttMs;
    Object.assign(result, describeMessage(tx.response));
    if (tx.kind === "reset") result.rst = true;
    if (tx.emptyAck) result.empty_ack = true;
    if (tx.kind === "separate") result.separate_response = true;

    let payload = tx.response.payload;
    if (tx.kind !== "reset" && tx.response.code >> 5 === 2) {
      const blocks = await followBlocks(io, tx.response, {
        target: uri,
        messageId,
        maxBlocks: opts.maxBlocks,
        maxPayload: Math.min(ctx.maxReadBytes, PAYLOAD_CAP),
        budgetMs: ctx.readTimeoutMs,
        retries: opts.retries,
        tokenLength: opts.tokenLength,
        deadline: Date.now() + BLOCKWISE_TIME_FACTOR * ctx.readTimeoutMs,
      });
      if (blocks) {
        payload = blocks.payload;
        result.blockwise = blocks.info;
      }
    }
    Object.assign(result, describePayload(payload, result.content_format));
    return { status: "success", result: totals() };
  } catch (err) {
    if (err instanceof TransactionFailure) {
      result.response_size = err.partial.bytesReceived;
      if (err.partial.rttMs !== undefined) result.rtt_ms = err.partial.rttMs;
      if (err.partial.emptyAck) result.empty_ack = true;
      if (err.partial.malformed) result.malformed_response = malformedHex(err.partial.malformed);
      const amp = amplification(err.partial.bytesReceived, request.length);
      if (amp !== undefined) result.amplification = amp;
    }
    return outcomeFromError(err, totals());
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
    ex.close();
  }
}
