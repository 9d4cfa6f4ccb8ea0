/**
 * x · k mod p in plain doubles, exactly, for a fixed k: the permutation's inner loop runs this once per
 * target, so it must not allocate or touch bigint. A double holds integers exactly up to 2^53; for
 * p < 2^b, k is split into chunks of c = 52 − b bits and combined by Horner's rule, so that every
 * intermediate (r · 2^c + x · chunk < 2^(b+c+1) = 2^53) stays exact.
 */

/** Largest modulus the multiplier supports (so that at least one bit per chunk remains). */
export const MAX_MODULUS = 2 ** 50;

export function mulModBy(k: number, p: number): (x: number) => number {
  if (!(Number.isSafeInteger(p) && p >= 2 && p <= MAX_MODULUS)) throw new RangeError(`modulus out of range: ${p}`);
  if (!(Number.isSafeInteger(k) && k >= 0 && k < p)) throw new RangeError(`factor out of range: ${k}`);
  let bits = 0;
  while (2 ** bits <= p) bits++; // exact, unlike Math.log2 near powers of two
  if (bits <= 26) return (x) => (x * k) % p; // x · k < 2^52: one exact multiply
  const c = 52 - bits;
  const radix = 2 ** c;
  const chunks: number[] = [];
  for (let rest = k; rest > 0; rest = Math.floor(rest / radix)) chunks.unshift(rest % radix);
  if (chunks.length === 0) return () => 0;
  if (chunks.length === 1) {
    const k0 = chunks[0]!;
    return (x) => (x * k0) % p;
  }
  if (chunks.length === 2) {
    // The common case (p < 2^34, e.g. all of IPv4 on one port): unrolled.
    const hi = chunks[0]!;
    const lo = chunks[1]!;
    return (x) => ((((x * hi) % p) * radix + x * lo) % p);
  }
  return (x) => {
    let r = 0;
    for (let i = 0; i < chunks.length; i++) r = (r * radix + x * chunks[i]!) % p;
    return r;
  };
}
