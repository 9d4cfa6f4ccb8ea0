/**
 * Random message ids and tokens from the CSPRNG, drawn 4 KiB at a time: a randomInt() plus a
 * randomBytes() per target were 9 % of a CoAP scan's main thread (each call fills from OpenSSL's
 * generator separately). The bytes are the same quality; only the number of calls changes.
 */
import { randomBytes } from "node:crypto";

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let at = 0;

/** `n` fresh random bytes (a copy: callers keep them). */
export function randomToken(n: number): Buffer {
  if (at + n > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, n));
    at = 0;
  }
  const out = Buffer.from(pool.subarray(at, at + n));
  at += n;
  return out;
}

/** A random 16-bit CoAP message id. */
export function randomMessageId(): number {
  return randomToken(2).readUInt16BE(0);
}
