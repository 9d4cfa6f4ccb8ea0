/**
 * What a campaign must not probe, and why. Three layers, checked in this order:
 *  1. the built-in blocklist (IANA special-purpose space; local ranges unless --allow-local-targets);
 *  2. the operator's --blocklist files (read once, at start);
 *  3. the opt-out list (--optout): networks whose owners asked not to be scanned. It is re-read while the
 *     campaign runs, on SIGHUP and whenever its modification time changes, so an opt-out request takes
 *     effect within a poll interval without stopping the scan.
 * `refusal` is what the ProbeGate asks right before every packet; `combined` is what the target space
 * subtracts at load time.
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { describeError, UsageError } from "../../core/errors.js";
import type { Logger } from "../../core/log/index.js";
import { silentLogger } from "../../core/log/index.js";
import { builtinBlocklist, formatCidr, localTargetSet, parseBlocklist, tryParseIp } from "../../core/net/index.js";
import { CidrSet } from "../../core/net/index.js";
import type { IpAddr, IpRange } from "../../core/net/index.js";
import type { Target } from "../modules/types.js";
import type { TargetCheck } from "./context.js";

export interface BlocklistOptions {
  allowLocalTargets?: boolean;
  /** --blocklist files. */
  files?: readonly string[];
  /** --optout file. */
  optoutFile?: string;
  /** Relative paths resolve against this (default: the working directory). */
  cwd?: string;
  logger?: Logger;
}

/** One layer, as recorded with the campaign (which lists, how big, which content). */
export interface BlocklistSourceInfo {
  kind: "builtin" | "file" | "optout";
  path?: string;
  /** Merged intervals, IPv4 + IPv6. */
  intervals: number;
  v4Addresses: number;
  /** IPv6 count as decimal text (it can exceed 2^53). */
  v6Addresses: string;
  /** SHA-256 of the set's canonical CIDR list. */
  sha256: string;
}

export interface BlocklistInfo {
  allowLocalTargets: boolean;
  sources: BlocklistSourceInfo[];
  /** SHA-256 of everything combined, as it stood when the campaign (or this resume) loaded it. */
  sha256: string;
}

function setDigest(set: CidrSet): string {
  const hash = createHash("sha256");
  for (const c of set.toCidrs()) hash.update(`${formatCidr(c)}\n`);
  return hash.digest("hex");
}

function describeSet(kind: BlocklistSourceInfo["kind"], set: CidrSet, file?: string): BlocklistSourceInfo {
  const count = set.intervalCount;
  const size = set.size;
  return {
    kind,
    ...(file !== undefined ? { path: file } : {}),
    intervals: count.v4 + count.v6,
    v4Addresses: size.v4,
    v6Addresses: size.v6.toString(),
    sha256: setDigest(set),
  };
}

function contains(set: CidrSet, a: IpAddr): boolean {
  return a.v === 4 ? set.hasV4(a.n) : set.hasV6(a.n);
}

async function readList(file: string, what: string): Promise<CidrSet> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${describeError(err)}`, { cause: err });
  }
  return parseBlocklist(text, file).freeze();
}

/**
 * The opt-out list, reloadable. A reload that fails (file gone, bad line) keeps the previous list and
 * logs the error: the list in force can only grow stale, never silently shrink to nothing.
 */
export class OptoutList {
  private current: CidrSet;
  private seen: { mtimeMs: number; size: number } | undefined;
  /** Incremented on every successful reload. */
  version = 0;
  private reloading: Promise<boolean> | undefined;
  private readonly listeners = new Set<(set: CidrSet) => void>();

  private constructor(
    readonly file: string,
    initial: CidrSet,
    private readonly logger: Logger,
  ) {
    this.current = initial;
  }

  static async load(file: string, logger: Logger = silentLogger): Promise<OptoutList> {
    const before = await stat(file).catch(() => undefined);
    const list = new OptoutList(file, await readList(file, "opt-out list"), logger);
    if (before) list.seen = { mtimeMs: before.mtimeMs, size: before.size };
    return list;
  }

  /** A list whose content comes from elsewhere (a probe worker's copy of the main thread's list). */
  static fromSet(file: string, set: CidrSet, logger: Logger = silentLogger): OptoutList {
    return new OptoutList(file, set, logger);
  }

  get set(): CidrSet {
    return this.current;
  }

  /** Puts `set` in force at once (a probe worker receiving the main thread's reload). */
  replace(set: CidrSet): void {
    this.current = set;
    this.version++;
  }

  /** Calls `listener` with the new list after every successful reload; returns the unsubscribe function. */
  onReload(listener: (set: CidrSet) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads the file now; resolves true when the new list is in force. Concurrent calls share one read. */
  reload(): Promise<boolean> {
    this.reloading ??= this.doReload().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async doReload(): Promise<boolean> {
    try {
      const before = await stat(this.file);
      const next = await readList(this.file, "opt-out list");
      this.current = next;
      this.seen = { mtimeMs: before.mtimeMs, size: before.size };
      this.version++;
      for (const l of this.listeners) l(next);
      const size = next.size;
      this.logger.info({ file: this.file, v4Addresses: size.v4, v6Addresses: size.v6.toString() }, "opt-out list reloaded");
      return true;
    } catch (err) {
      this.logger.error({ file: this.file, err: describeError(err) }, "opt-out list reload failed; the previous list stays in force");
      return false;
    }
  }

  /** Reloads when the file's modification time or size changed since the last read. */
  async reloadIfChanged(): Promise<boolean> {
    const now = await stat(this.file).catch(() => undefined);
    if (!now) return false;
    if (this.seen && now.mtimeMs === this.seen.mtimeMs && now.size === this.seen.size) return false;
    return this.reload();
  }

  /**
   * Reloads on SIGHUP and polls the modification time every `pollMs`. Returns the function that stops
   * both. Timers are unref'd: watching never keeps the process alive.
   */
  watch(pollMs = 1000): () => void {
    const onHup = () => void this.reload();
    process.on("SIGHUP", onHup);
    const timer = setInterval(() => void this.reloadIfChanged(), pollMs);
    timer.unref();
    return () => {
      clearInterval(timer);
      process.off("SIGHUP", onHup);
    };
  }
}

/** A ScanBlocklist as plain data: the operator's lists and the opt-out list as address ranges. */
export interface BlocklistData {
  allowLocalTargets: boolean;
  files: { file: string; ranges: IpRange[] }[];
  optout?: { file: string; ranges: IpRange[] };
}

export class ScanBlocklist implements TargetCheck {
  private constructor(
    readonly allowLocalTargets: boolean,
    private readonly builtin: CidrSet,
    readonly files: ReadonlyArray<{ readonly file: string; readonly set: CidrSet }>,
    readonly optout: OptoutList | undefined,
  ) {}

  static async load(opts: BlocklistOptions = {}): Promise<ScanBlocklist> {
    const cwd = opts.cwd ?? process.cwd();
    const allowLocal = opts.allowLocalTargets ?? false;
    const files: { file: string; set: CidrSet }[] = [];
    for (const f of opts.files ?? []) {
      const file = path.resolve(cwd, f);
      files.push({ file, set: await readList(file, "blocklist file") });
    }
    const optout = opts.optoutFile === undefined ? undefined : await OptoutList.load(path.resolve(cwd, opts.optoutFile), opts.logger);
    return new ScanBlocklist(allowLocal, builtinBlocklist({ allowLocalTargets: allowLocal }), files, optout);
  }

  /** Why `target` must not be probed, or undefined when it may be. Called before every packet. */
  refusal(target: Target): string | undefined {
    const a = tryParseIp(target.ip);
    if (!a) return `not an IP address: ${target.ip}`;
    if (contains(this.builtin, a)) {
      if (!this.allowLocalTargets && contains(localTargetSet(), a)) return `${target.ip} is a local address: scanning it needs --allow-local-targets`;
      return `${target.ip} is in the built-in blocklist (IANA special-purpose address space)`;
    }
    for (const { file, set } of this.files) if (contains(set, a)) return `${target.ip} is in the blocklist file ${file}`;
    if (this.optout && contains(this.optout.set, a)) return `${target.ip} opted out (${this.optout.file})`;
    return undefined;
  }

  /** The lists as plain data (structured-clonable), for the probe workers (worker.ts). */
  toData(): BlocklistData {
    return {
      allowLocalTargets: this.allowLocalTargets,
      files: this.files.map(({ file, set }) => ({ file, ranges: [...set.ranges()] })),
      ...(this.optout ? { optout: { file: this.optout.file, ranges: [...this.optout.set.ranges()] } } : {}),
    };
  }

  /** A worker's copy: the same lists and refusals; its opt-out list changes only through `optout.replace`. */
  static fromData(d: BlocklistData): ScanBlocklist {
    return new ScanBlocklist(
      d.allowLocalTargets,
      builtinBlocklist({ allowLocalTargets: d.allowLocalTargets }),
      d.files.map(({ file, ranges }) => ({ file, set: CidrSet.from(ranges).freeze() })),
      d.optout ? OptoutList.fromSet(d.optout.file, CidrSet.from(d.optout.ranges).freeze()) : undefined,
    );
  }

  /** Every address refused right now, as one set. */
  combined(): CidrSet {
    const all = this.builtin.clone();
    for (const { set } of this.files) all.merge(set);
    if (this.optout) all.merge(this.optout.set);
    return all.freeze();
  }

  info(): BlocklistInfo {
    const sources = [
      describeSet("builtin", this.builtin),
      ...this.files.map(({ file, set }) => describeSet("file", set, file)),
      ...(this.optout ? [describeSet("optout", this.optout.set, this.optout.file)] : []),
    ];
    return { allowLocalTargets: this.allowLocalTargets, sources, sha256: setDigest(this.combined()) };
  }
}
