/**
 * The Block2 option of RFC 7959 §2.2: NUM (block number), M (more blocks follow), SZX (size exponent,
 * block size = 2^(SZX+4)). SZX 7 is reserved (BERT, RFC 8323, only over TCP).
 */
import { ProbeError } from "../types.js";
import { decodeUint, encodeUint } from "./message.js";

export interface BlockOption {
  num: number;
  more: boolean;
  szx: number;
  /** Block size in bytes, 16..1024. */
  size: number;
}

export function decodeBlock(value: Buffer): BlockOption {
  if (value.length > 3) throw new ProbeError("protocol-error", `CoAP: Block option of ${value.length} bytes (at most 3)`);
  const n = decodeUint(value);
  const szx = n & 0x7;
  if (szx === 7) throw new ProbeError("protocol-error", "CoAP: Block option with reserved SZX 7");
  return { num: n >>> 4, more: (n & 0x8) !== 0, szx, size: 1 << (szx + 4) };
}

export function encodeBlock(num: number, more: boolean, szx: number): Buffer {
  return encodeUint(num * 16 + (more ? 8 : 0) + szx);
}

/** SZX for a block size of 16, 32, ..., 1024 bytes; undefined for anything else. */
export function szxOfSize(size: number): number | undefined {
  for (let szx = 0; szx <= 6; szx++) if (1 << (szx + 4) === size) return szx;
  return undefined;
}

/** Largest block number that fits the 20 bits of a 3-byte Block option. */
export const MAX_BLOCK_NUM = (1 << 20) - 1;
