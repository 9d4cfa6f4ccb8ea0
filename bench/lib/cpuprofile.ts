/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): where the scanner's main thread spends its time, by
 * function (self time) and by file (self time summed), with paths shortened to src/…, node:…, or the
 * package name. Used by `npm run bench -- scan --cpu-prof`.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  byFunction: ProfileEntry[];
  byFile: ProfileEntry[];
}

function shortUrl(url: string): string {
  if (url === "") return "";
  if (url.startsWith("node:")) return url;
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) return url.slice(nm + "/node_modules/".length);
  const m = /\/(dist|src)\/(.*)$/.exec(url);
  if (m) return `src/${m[2]!.replace(/\.js$/, ".ts")}`;
  return url.replace(/^file:\/\//, "");
}

export function summariseProfile(file: string, top = 25): ProfileSummary {
  const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const d = p.timeDeltas[i] ?? 0;
    total += d;
    selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + d);
  }
  const fn = new Map<string, number>();
  const files = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const url = shortUrl(n.callFrame.url);
    const name = n.callFrame.functionName || "(anonymous)";
    const key = url ? `${name} ${url}:${n.callFrame.lineNumber + 1}` : name;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const fileKey = url || name;
    files.set(fileKey, (files.get(fileKey) ?? 0) + us);
  }
  const list = (m: Map<string, number>): ProfileEntry[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: total ? us / total : 0 }));
  return { totalMs: Math.round(total / 1000), byFunction: list(fn), byFile: list(files) };
}
