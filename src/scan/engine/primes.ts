/**
 * Number theory for the cyclic-group permutation: primality, the next prime, the distinct prime factors
 * of p − 1, modular powers. None of it is on the hot path (it runs once per campaign), so it uses bigint
 * for exactness and stays simple.
 */

/** Bases that make Miller–Rabin deterministic for every n < 3.3 × 10^24 (far beyond 2^53). */
const WITNESSES = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n];

/** a^e mod m, exactly, for non-negative safe integers (or bigints). */
export function powMod(a: number | bigint, e: number | bigint, m: number | bigint): bigint {
  let base = BigInt(a) % BigInt(m);
  let exp = BigInt(e);
  const mod = BigInt(m);
  let result = 1n % mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}

/** Deterministic Miller–Rabin for any safe integer. */
export function isPrime(n: number): boolean {
  if (!Number.isSafeInteger(n) || n < 2) return false;
  for (const small of [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]) {
    if (n === small) return true;
    if (n % small === 0) return false;
  }
  const big = BigInt(n);
  let d = big - 1n;
  let r = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    r++;
  }
  outer: for (const a of WITNESSES) {
    let x = powMod(a, d, big);
    if (x === 1n || x === big - 1n) continue;
    for (let i = 1; i < r; i++) {
      x = (x * x) % big;
      if (x === big - 1n) continue outer;
    }
    return false;
  }
  return true;
}

/** The smallest prime strictly greater than n. */
export function nextPrimeAbove(n: number): number {
  let c = Math.max(2, Math.floor(n) + 1);
  while (!isPrime(c)) c++;
  return c;
}

/**
 * The distinct prime factors of m, by trial division. m < 2^49 in practice, so at most ~2^24 divisions
 * in the worst case (m = 2q with q prime): tens of milliseconds, once per campaign.
 */
export function distinctPrimeFactors(m: number): number[] {
  if (!Number.isSafeInteger(m) || m < 1) throw new RangeError(`cannot factor ${m}`);
  const factors: number[] = [];
  let rest = m;
  if (rest % 2 === 0) {
    factors.push(2);
    while (rest % 2 === 0) rest /= 2;
  }
  for (let d = 3; d * d <= rest; d += 2) {
    if (rest % d === 0) {
      factors.push(d);
      while (rest % d === 0) rest /= d;
    }
  }
  if (rest > 1) factors.push(rest);
  return factors;
}

/** Whether g generates the whole multiplicative group mod the prime p, given the prime factors of p − 1. */
export function isPrimitiveRoot(g: number, p: number, factorsOfPMinus1: readonly number[]): boolean {
  if (p === 2) return g % 2 === 1;
  if (g % p === 0) return false;
  return factorsOfPMinus1.every((q) => powMod(g, (p - 1) / q, p) !== 1n);
}
