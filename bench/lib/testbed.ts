/**
 * The /16 testbed of /work/shared/PEERS.md ("A /16 of targets on one machine"): two network namespaces
 * joined by a veth pair; the target side claims 10.202.0.0/16 as local, so one server bound to all
 * addresses answers all 65,536 targets. The scanner side has exactly two routes (its /30 and the /16 via
 * the peer), no default route: nothing can leave the namespaces.
 *
 * Namespace names carry the benchmark's PID (iotscope-bA-<pid>, iotscope-bB-<pid>) so that a leftover of
 * a crashed run never collides; leftovers whose PID is gone are removed at start. Kernel tuning is done
 * with namespaced sysctls inside the two namespaces only; the host's settings are never touched.
 */
import { alive, killPid, killPidAsync, run, sh, shQuiet } from "./proc.js";

export const NS_PREFIX = "iotscope-b";
export const SCANNER_ADDR = "10.201.0.1";
export const PEER_ADDR = "10.201.0.2";
export const TARGET_NET = "10.202.0.0/16";

export interface Testbed {
  /** Scanner side. */
  a: string;
  /** Target side. */
  b: string;
  /** The scanner's interface (in a) and the peer's MAC address (vB in b), for zmap's -i and -G. */
  ifA: string;
  peerMac: string;
  /** Runs `cmd args` inside a namespace: the argv to spawn. */
  exec(ns: string, cmd: string, args: string[]): [string, string[]];
}

/** Namespaces with our prefix whose benchmark process is gone: their processes are killed, they are deleted. */
export function removeStaleNamespaces(log: (s: string) => void): void {
  for (const ns of listNamespaces()) {
    const m = /^iotscope-b[AB]-(\d+)$/.exec(ns);
    if (!m) continue;
    const owner = Number(m[1]);
    if (owner === process.pid || alive(owner)) continue;
    log(`removing stale namespace ${ns} (its benchmark, PID ${owner}, is gone)`);
    deleteNamespace(ns);
  }
}

export function listNamespaces(): string[] {
  return shQuiet("ip", ["netns", "list"])
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[0] ?? "")
    .filter((n) => n !== "");
}

/** Kills every process still inside the namespace (all were started by a benchmark), then deletes it. */
export function deleteNamespace(ns: string): void {
  for (const pid of shQuiet("ip", ["netns", "pids", ns]).split(/\s+/).filter(Boolean).map(Number)) {
    if (pid !== process.pid) killPid(pid, 1000);
  }
  shQuiet("ip", ["netns", "del", ns]);
}

export function createTestbed(): Testbed {
  const a = `${NS_PREFIX}A-${process.pid}`;
  const b = `${NS_PREFIX}B-${process.pid}`;
  const ip = (...args: string[]) => sh("ip", args);
  ip("netns", "add", a);
  ip("netns", "add", b);
  // Created directly inside the namespaces: the host never sees vA/vB, so concurrent runs cannot clash.
  ip("link", "add", "vA", "netns", a, "type", "veth", "peer", "name", "vB", "netns", b);
  ip("-n", a, "addr", "add", `${SCANNER_ADDR}/30`, "dev", "vA");
  ip("-n", b, "addr", "add", `${PEER_ADDR}/30`, "dev", "vB");
  for (const ns of [a, b]) ip("-n", ns, "link", "set", "lo", "up");
  ip("-n", a, "link", "set", "vA", "up");
  ip("-n", b, "link", "set", "vB", "up");
  ip("-n", a, "route", "add", TARGET_NET, "via", PEER_ADDR);
  ip("-n", b, "route", "add", "local", TARGET_NET, "dev", "lo");

  // Namespaced sysctls (each namespace has its own copy; the host's are untouched).
  const sysctl = (ns: string, kv: string) => sh("ip", ["netns", "exec", ns, "sysctl", "-q", "-w", kv]);
  // Scanner side: every ephemeral port, reuse of TIME_WAIT ports for new connections, short FIN timeout.
  sysctl(a, "net.ipv4.ip_local_port_range=1024 65535");
  sysctl(a, "net.ipv4.tcp_tw_reuse=1");
  sysctl(a, "net.ipv4.tcp_fin_timeout=10");
  // Target side: room for the accept queues and half-open connections of 65,536 targets.
  sysctl(b, "net.core.somaxconn=65535");
  sysctl(b, "net.ipv4.tcp_max_syn_backlog=65535");
  sysctl(b, "net.ipv4.tcp_fin_timeout=10");

  // Nothing routes out: the scanner side must have no default route and nothing beyond the testbed.
  const routes = ip("-n", a, "route", "show");
  if (/^default/m.test(routes)) throw new Error(`namespace ${a} has a default route; refusing to scan`);

  const link = JSON.parse(ip("-n", b, "-j", "link", "show", "vB")) as { address: string }[];
  const peerMac = link[0]?.address;
  if (!peerMac) throw new Error("cannot read vB's MAC address");
  return {
    a,
    b,
    ifA: "vA",
    peerMac,
    exec: (ns, cmd, args) => ["ip", ["netns", "exec", ns, cmd, ...args]],
  };
}

export function destroyTestbed(t: Pick<Testbed, "a" | "b">): void {
  deleteNamespace(t.a);
  deleteNamespace(t.b);
}

/** destroyTestbed without blocking the event loop (used on Ctrl-C and at the end of a run). */
export async function destroyTestbedAsync(t: Pick<Testbed, "a" | "b">): Promise<void> {
  for (const ns of [t.a, t.b]) {
    const pids = (await run("ip", ["netns", "pids", ns])).stdout.split(/\s+/).filter(Boolean).map(Number);
    await Promise.all(pids.filter((pid) => pid !== process.pid).map((pid) => killPidAsync(pid, 1000)));
    await run("ip", ["netns", "del", ns]);
  }
}
