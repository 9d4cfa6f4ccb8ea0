/**
 * UUID version 7 (RFC 9562 §5.7): 48-bit Unix milliseconds, version, 74 random bits. Event ids are
 * v7 so that they sort by time (the collector's index stays append-mostly) and stay unique across
 * sensors. Hand-written (a dozen lines) rather than a dependency: Node 20's crypto has only v4.
 * Within one millisecond a counter in rand_a (method 1 of §6.2) keeps ids from one process monotonic.
 */
import { randomFillSync } from "node:crypto";

const bytes = new Uint8Array(16);
let lastMs = -1;
let counter = 0;

export function uuidv7(now: number = Date.now()): string {
  randomFillSync(bytes);
  if (now <= lastMs) {
    counter = (counter + 1) & 0xfff;
    if (counter === 0) lastMs += 1; // 4096 ids in one ms: borrow the next millisecond
    now = lastMs;
  } else {
    lastMs = now;
    counter = bytes[6]! & 0x07; // start low so the counter has room to grow
  }
  // 48-bit big-endian milliseconds (JS bit operators are 32-bit: split high and low parts).
  const high = Math.floor(now / 2 ** 16);
  bytes[0] = (high >>> 24) & 0xff;
  bytes[1] = (high >>> 16) & 0xff;
  bytes[2] = (high >>> 8) & 0xff;
  bytes[3] = high & 0xff;
  bytes[4] = (now >>> 8) & 0xff;
  bytes[5] = now & 0xff;
  bytes[6] = 0x70 | ((counter >>> 8) & 0x0f);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f); // variant 10
  const hex = Buffer.from(bytes).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
