/**
 * CVSS base scores from vectors, for sources that give only the vector (OSV's `severity`). Scoring is
 * done by ae-cvss-calculator ({metæffekt}, Apache-2.0, maintained, all of 2.0/3.0/3.1/4.0 incl. the
 * v4 macro-vector tables) rather than by hand: the v4 algorithm is too large to re-implement safely.
 */
import cvssLib from "ae-cvss-calculator";
import type { CvssScore } from "../../record.js";
import { severityOf } from "./values.js";

const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = cvssLib;

/** The CVSS version a vector declares ("CVSS:3.1/…"); a bare vector is v2 only when `v2Hint`. */
export function vectorVersion(vector: string, v2Hint = false): CvssScore["version"] | undefined {
  const m = vector.match(/^CVSS:(\d\.\d)\//);
  if (m) return m[1] === "3.0" || m[1] === "3.1" || m[1] === "4.0" ? m[1] : undefined;
  if (m === null && (v2Hint || /^\(?AV:[LAN]\/AC:[HML]\/Au:[MSN]\//.test(vector))) return "2.0";
  return undefined;
}

/**
 * The base score of a vector, or undefined when the vector is not a complete, valid base vector of a
 * known version (the library throws on unknown values and leaves the score unset on missing metrics).
 */
export function scoreVector(vector: string, v2Hint = false): CvssScore | undefined {
  const version = vectorVersion(vector.trim(), v2Hint);
  if (!version) return undefined;
  const v = vector.trim().replace(/^\((.*)\)$/, "$1");
  try {
    const calc = version === "2.0" ? new Cvss2(v) : version === "3.0" ? new Cvss3P0(v) : version === "3.1" ? new Cvss3P1(v) : new Cvss4P0(v);
    const base = (calc.calculateScores() as { base?: number }).base;
    if (typeof base !== "number" || !Number.isFinite(base)) return undefined;
    return { version, vector: v, baseScore: base, baseSeverity: severityOf(version, base) };
  } catch {
    return undefined;
  }
}
