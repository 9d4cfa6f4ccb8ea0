/**
 * SensorLimits as a unit: session slots overall and per source, released exactly once; the UDP reply
 * byte budget per source (burst, refill, refusal events only when the peer is named); the budget of
 * limit events with a once-a-second summary of what it suppressed.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { EmittedEvent } from "../../src/honeypot/events.js";
import { limitsSchema } from "../../src/honeypot/sensor/config.js";
import { SensorLimits } from "../../src/honeypot/sensor/limits.js";
import { waitFor } from "../helpers/wait.js";

const made: SensorLimits[] = [];
afterEach(() => {
  for (const l of made.splice(0)) l.close();
});

function limits(over: Record<string, unknown>) {
  const events: EmittedEvent[] = [];
  let n = 0;
  const l = new SensorLimits(limitsSchema.parse(over), (e) => events.push(e), () => `s${n++}`);
  made.push(l);
  return { l, events };
}

describe("sensor limits", () => {
  it("gives session slots up to the global and per-source limits, and releases each once", () => {
    const { l, events } = limits({ max_sessions: 3, per_source_sessions: 2 });
    const a1 = l.acquire("192.0.2.1", "telnet")!;
    const a2 = l.acquire("192.0.2.1", "telnet")!;
    expect(l.acquire("192.0.2.1", "telnet")).toBeUndefined();
    const b1 = l.acquire("192.0.2.2", "mqtt", { srcPort: 5000, dstPort: 1883, transport: "tcp" })!;
    expect(l.acquire("192.0.2.3", "coap")).toBeUndefined();
    expect(events.map((e) => [e.eventid, e.limit, e.src_ip, e.protocol, e.transport])).toEqual([
      ["sensor.limit", "per_source_sessions", "192.0.2.1", "telnet", "tcp"],
      ["sensor.limit", "max_sessions", "192.0.2.3", "coap", "udp"],
    ]);
    a1();
    a1(); // twice: counted once
    expect(l.stats().sessionsOpen).toBe(2);
    expect(l.acquire("192.0.2.1", "telnet")).toBeTypeOf("function");
    a2();
    b1();
  });

  it("budgets UDP reply bytes per source: burst, then refill at the configured rate", async () => {
    const { l, events } = limits({ udp_reply_bytes_per_s: 10_000, udp_reply_burst_bytes: 1000 });
    const peer = { srcPort: 5683, dstPort: 5683, transport: "udp" as const, protocol: "coap" as const };
    expect(l.allowReply("198.51.100.1", 600, peer)).toBe(true);
    expect(l.allowReply("198.51.100.1", 600, peer)).toBe(false);
    expect(l.allowReply("198.51.100.2", 600)).toBe(true); // another source has its own budget
    expect(l.allowReply("198.51.100.2", 600)).toBe(false); // refused, unnamed: only counted
    expect(events.map((e) => [e.eventid, e.limit, e.src_ip, e.protocol])).toEqual([["sensor.rate_limited", "udp_reply_budget", "198.51.100.1", "coap"]]);
    expect(l.stats().refusedReplies).toBe(2);
    await waitFor(() => l.allowReply("198.51.100.1", 600, peer), "the bucket to refill");
  });

  it("rate-limits its own events and summarises the suppressed ones", async () => {
    const { l, events } = limits({ per_source_sessions: 1, limit_events_per_s: 1 });
    l.acquire("203.0.113.9", "telnet");
    for (let i = 0; i < 500; i++) l.acquire("203.0.113.9", "telnet");
    expect(events).toHaveLength(1);
    await waitFor(() => events.length === 2, "the summary");
    expect(events[1]).toMatchObject({ eventid: "sensor.limit", message: "499 more sensor.limit events suppressed in the last second (last shown)" });
    expect(l.stats()).toMatchObject({ refusedSessions: 500, suppressedEvents: 499 });
  });
});
