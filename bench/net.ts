/**
 * Benchmark of the scanner's hot path: CidrSet.hasV4 against a big blocklist (the builtin one plus
 * 100,000 random CIDRs), over 10 million random addresses. Seeded, so runs are comparable.
 * Run through bench/run.ts, or directly: npx tsx bench/net.ts
 */
import { pathToFileURL } from "node:url";
import { builtinBlocklist, ipv4Cidr } from "../src/core/net/index.js";
import { mulberry32u32 as rng } from "../src/core/random.js";

const RANDOM_CIDRS = 100_000;
const LOOKUPS = 10_000_000;


export default async function run(): Promise<void> {
  const next = rng(0x10f5c09e);
  const set = builtinBlocklist().clone();
  for (let i = 0; i < RANDOM_CIDRS; i++) {
    // Prefixes /24../32: long enough that most blocks stay separate intervals, as in real blocklists.
    const cidr = ipv4Cidr(next(), 24 + (next() % 9));
    set.addV4Range(cidr.first, cidr.last);
  }
  set.freeze();

  const addrs = new Uint32Array(LOOKUPS);
  for (let i = 0; i < LOOKUPS; i++) addrs[i] = next();

  // Warm up so the measured loop runs optimized code.
  let hits = 0;
  for (let i = 0; i < 200_000; i++) if (set.hasV4(addrs[i]!)) hits++;

  hits = 0;
  const start = performance.now();
  for (let i = 0; i < LOOKUPS; i++) if (set.hasV4(addrs[i]!)) hits++;
  const seconds = (performance.now() - start) / 1000;

  // A blocklist that matched nothing or everything would mean the benchmark measures a broken set.
  if (hits === 0 || hits === LOOKUPS) throw new Error(`net bench: implausible hit count ${hits}`);
  const rate = (LOOKUPS / seconds / 1e6).toFixed(1);
  const intervals = set.intervalCount.v4.toLocaleString("en-US");
  console.log(`net: cidr-set hasV4 ${rate}M lookups/s (${intervals} intervals)`);
}

const invoked = process.argv[1];
if (invoked !== undefined && import.meta.url === pathToFileURL(invoked).href) await run();
