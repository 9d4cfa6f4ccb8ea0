/**
 * Sensor and enrolment tokens: 32 random bytes (base64url). Only their SHA-256 is stored; a plain hash
 * (no salt, no slow KDF) is right here because the tokens are random, not passwords a person chose.
 * Comparison is on the hashes, in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Constant-time: does `presented` hash to `storedHash`? */
export function tokenMatches(presented: string, storedHash: string | null): boolean {
  if (storedHash === null) return false;
  const a = Buffer.from(hashToken(presented), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
