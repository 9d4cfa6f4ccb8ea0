/**
 * Blocklist files: one entry a line, an address ("192.0.2.7"), a CIDR ("10.0.0.0/8", host bits
 * cleared) or an inclusive range ("192.0.2.10-192.0.2.20"), of either family. "#" starts a comment
 * (whole-line or trailing), blank lines are skipped, CRLF line ends and a UTF-8 BOM are tolerated.
 * Any other line is an error naming file:line and the line: a blocklist that silently dropped a
 * line it could not read would let the scanner probe a network its operator asked it to avoid.
 */
import { readFile } from "node:fs/promises";
import { describeError, UsageError } from "../errors.js";
import { CidrSet } from "./cidr-set.js";
import { parseRange } from "./ip.js";

/** Parses blocklist `text`, naming `source` (usually the file path) in errors. Adds to `into` when given. */
export function parseBlocklist(text: string, source: string, into: CidrSet = new CidrSet()): CidrSet {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const hash = raw.indexOf("#");
    const entry = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    if (entry === "") continue;
    try {
      into.add(parseRange(entry));
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      throw new UsageError(`${source}:${i + 1}: cannot read blocklist entry ${JSON.stringify(entry)}: ${err.message}`, { cause: err });
    }
  }
  return into;
}

/** Reads and parses a blocklist file; a missing or unreadable file is a UsageError too. */
export async function loadBlocklistFile(path: string, into?: CidrSet): Promise<CidrSet> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read blocklist file ${path}: ${describeError(err)}`, { cause: err });
  }
  return parseBlocklist(text, path, into);
}
