/**
 * Following a Block2 transfer (RFC 7959 §2.4): after a first response with M=1, ask for the next block
 * until M=0, within a block cap, the byte cap and a time cap. A failing block never loses what came
 * before: the transfer just ends incomplete with the reason.
 */
import { ProbeError } from "../types.js";
import { decodeBlock, MAX_BLOCK_NUM, type BlockOption } from "./block.js";
import { transact, type CoapIo } from "./exchange.js";
import { decodeUint, findOption, type CoapMessage } from "./message.js";
import { codeText, OPTION } from "./registry.js";
import { encodeGet, type RequestTarget } from "./request.js";
import type { CoapBlockwise } from "./result.js";
import { randomToken } from "./random.js";

export interface BlockwiseOptions {
  target: RequestTarget;
  /** Message id of the previous request; follow-ups count up from it. */
  messageId: number;
  maxBlocks: number;
  /** Stop once this many payload bytes are assembled. */
  maxPayload: number;
  /** Per-block answer time, and the retries within it. */
  budgetMs: number;
  retries: number;
  tokenLength: number;
  /** No block request starts after this time. */
  deadline: number;
}

export interface BlockwiseOutcome {
  payload: Buffer;
  info: CoapBlockwise;
}

/** Undefined when the first response carries no Block2 option (a plain, single response). */
export async function followBlocks(io: CoapIo, first: CoapMessage, o: BlockwiseOptions): Promise<BlockwiseOutcome | undefined> {
  const opt = findOption(first, OPTION.block2);
  if (!opt) return undefined;
  const parts: Buffer[] = [first.payload];
  let received = first.payload.length;
  const size2Opt = findOption(first, OPTION.size2);
  const size2 = size2Opt && size2Opt.value.length <= 4 ? decodeUint(size2Opt.value) : undefined;
  const info: CoapBlockwise = { blocks: 1, block_size: 0, complete: false, ...(size2 !== undefined ? { size2 } : {}) };
  const finish = (error?: string): BlockwiseOutcome => {
    if (error) info.error = error;
    else info.complete = true;
    return { payload: Buffer.concat(parts), info };
  };

  let block: BlockOption;
  try {
    block = decodeBlock(opt.value);
  } catch (err) {
    return finish(err instanceof ProbeError ? err.message : String(err));
  }
  info.block_size = block.size;
  if (block.num !== 0) return finish(`first response is block ${block.num}, not block 0`);
  const etag = findOption(first, OPTION.etag)?.value;
  let messageId = o.messageId;

  while (block.more) {
    const last = parts[parts.length - 1]!;
    // RFC 7959 §2.2: every block but the last has exactly the block size, or offsets go wrong.
    if (last.length !== block.size) return finish(`block ${info.blocks - 1} carries ${last.length} bytes, not ${block.size} (M=1)`);
    if (info.blocks >= o.maxBlocks) return finish(`stopped after ${o.maxBlocks} blocks`);
    if (received >= o.maxPayload) return finish(`stopped at the ${o.maxPayload}-byte payload cap`);
    if (Date.now() >= o.deadline) return finish("stopped: block-wise time budget spent");
    const num = received / block.size;
    if (num > MAX_BLOCK_NUM) return finish(`block number ${num} does not fit a Block2 option`);

    messageId = (messageId + 1) & 0xffff;
    const token = randomToken(o.tokenLength);
    const request = encodeGet({ messageId, token, target: o.target, block2: { num, szx: block.szx } });
    let resp: CoapMessage;
    try {
      const tx = await transact(io, request, {
        messageId,
        token,
        budgetMs: Math.min(o.budgetMs, Math.max(1, o.deadline - Date.now())),
        retries: o.retries,
      });
      if (tx.kind === "reset") return finish(`block ${num}: Reset`);
      resp = tx.response;
    } catch (err) {
      if (err instanceof ProbeError) return finish(`block ${num}: ${err.message}`);
      throw err;
    }
    if (resp.code >> 5 !== 2) return finish(`block ${num}: ${codeText(resp.code)}`);
    const next = findOption(resp, OPTION.block2);
    if (!next) return finish(`block ${num}: response without a Block2 option`);
    try {
      block = decodeBlock(next.value);
    } catch (err) {
      return finish(`block ${num}: ${err instanceof ProbeError ? err.message : String(err)}`);
    }
    if (block.num * block.size !== received) {
      return finish(`block ${num}: server sent offset ${block.num * block.size}, expected ${received}`);
    }
    const tag = findOption(resp, OPTION.etag)?.value;
    if (etag && tag && !tag.equals(etag)) return finish(`block ${num}: ETag changed (the resource changed mid-transfer)`);
    if (resp.payload.length > block.size) return finish(`block ${num}: ${resp.payload.length} bytes exceed the block size ${block.size}`);
    parts.push(resp.payload);
    received += resp.payload.length;
    info.blocks++;
    info.block_size = block.size;
  }
  return finish();
}
