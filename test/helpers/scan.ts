/**
 * A real ScanContext for module tests: real sockets through the engine's probe gate, allowed to reach
 * loopback only (tests never send anywhere else).
 */
import type { ModuleOptions, ScanContext, Target } from "../../src/scan/modules/types.js";
import { createScanContext, ProbeGate, UdpMux } from "../../src/scan/engine/context.js";

export interface TestScanContext extends ScanContext {
  /** Every probe that actually left, in order. */
  readonly sent: Array<{ target: Target; kind: "tcp" | "udp" }>;
  close(): void;
}

const loopbackOnly = {
  refusal(target: Target) {
    return target.ip.startsWith("127.") || target.ip === "::1" ? undefined : `tests only reach loopback, not ${target.ip}`;
  },
};

export function testScanContext(
  overrides: Partial<Pick<ScanContext, "connectTimeoutMs" | "readTimeoutMs" | "maxReadBytes">> & { options?: ModuleOptions } = {},
): TestScanContext {
  const sent: TestScanContext["sent"] = [];
  const gate = new ProbeGate({ check: loopbackOnly, onProbe: (target, kind) => sent.push({ target, kind }) });
  const udp = new UdpMux();
  const ctx = createScanContext({
    gate,
    udp,
    connectTimeoutMs: overrides.connectTimeoutMs ?? 2000,
    readTimeoutMs: overrides.readTimeoutMs ?? 2000,
    maxReadBytes: overrides.maxReadBytes ?? 1 << 20,
    options: overrides.options ?? {},
    signal: new AbortController().signal,
  });
  return { ...ctx, sent, close: () => udp.close() };
}

export function loopbackTarget(port: number, v: 4 | 6 = 4): Target {
  return { ip: v === 4 ? "127.0.0.1" : "::1", v, port };
}
