/**
 * The sensor runtime: config errors name path and reason; events are stamped (UUID v7, time,
 * sensor) and schema-checked; limits refuse sessions with sensor.limit events that are themselves
 * rate-limited; the event schema document stays equal to the zod schema; hostile input (random
 * bytes, oversized lines, 1,000+ connections, slow senders) leaves the sensor up and bounded.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { UsageError } from "../../src/core/errors.js";
import { honeypotEventSchema } from "../../src/honeypot/events.js";
import { parseSensorConfig, uuidv7 } from "../../src/honeypot/index.js";
import { runCli } from "../helpers/cli.js";
import { repoRoot } from "../helpers/fixtures.js";
import { waitFor } from "../helpers/wait.js";
import { startTestSensor, type TestSensor } from "./sensor-support.js";
import { MiraiClient } from "./telnet-mirai-client.js";

let ts: TestSensor | undefined;
afterEach(async () => {
  await ts?.close();
  ts = undefined;
});

describe("sensor config", () => {
  const base = { sensor: "s1", persona: "xiongmai-dvr-armhf", spool: { dir: "spool" } };
  const message = (raw: unknown) => {
    try {
      parseSensorConfig(raw, "sensor.json", "/etc/iotscope");
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    }
    throw new Error("no error");
  };

  it("names the file, the path and why", () => {
    expect(message({ ...base, limits: { max_sessions: 0 } })).toMatch(/^sensor\.json: limits\.max_sessions: Too small/);
    expect(message({ ...base, sensor: "bad id!" })).toMatch(/^sensor\.json: sensor: letters, digits/);
    expect(message({ ...base, collector: { url: "http://c.example" , token: "t" } })).toMatch(/collector\.url: must be an https:\/\/ URL/);
    expect(message({ ...base, collector: { url: "https://c.example" } })).toMatch(/collector: needs "token" or "enrol_token"/);
    expect(message({ ...base, typo: 1 })).toMatch(/sensor\.json: \(top level\): Unrecognized key: "typo"/);
  });

  it("`iotscope honeypot sensor` exits 2 with the file, path and reason on a bad config", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sensor-cli-"));
    try {
      const file = path.join(dir, "sensor.json");
      writeFileSync(file, JSON.stringify({ ...base, limits: { idle_timeout_s: -1 } }));
      const r = await runCli(["honeypot", "sensor", "--config", file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${file}: limits.idle_timeout_s: `);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("resolves relative paths against the config file's folder and fills defaults", () => {
    const c = parseSensorConfig({ ...base, collector: { url: "https://c.example", token: "t", ca_file: "ca.pem" } }, "x", "/etc/iotscope");
    expect(c.spool.dir).toBe("/etc/iotscope/spool");
    expect(c.collector!.ca_file).toBe("/etc/iotscope/ca.pem");
    expect(c.limits.max_sessions).toBe(20_000);
  });

  it("checks each emulator section with the emulator's own schema at start", async () => {
    await expect(startTestSensor({ telnet: { ports: ["x"] } })).rejects.toThrow(/emulators\.telnet\.ports\.0: /);
    await expect(startTestSensor({ extra: { emulators: { gopher: {} } } })).rejects.toThrow(/emulators\.gopher: unknown emulator/);
  });
});

describe("event stamping", () => {
  it("UUID v7 ids are valid, versioned and increase within a process", () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7());
    for (const id of ids.slice(0, 50)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const ms = Number.parseInt(ids[0]!.replace(/-/g, "").slice(0, 12), 16);
    expect(Math.abs(ms - Date.now())).toBeLessThan(60_000);
  });

  it("every spooled event carries id, timestamp and sensor and passes the schema", async () => {
    ts = await startTestSensor();
    const bot = await MiraiClient.connect(ts.port);
    await bot.prompt();
    bot.close();
    await waitFor(() => ts!.events().length >= 2, "events");
    for (const e of ts.events()) {
      expect(honeypotEventSchema.safeParse(e).success).toBe(true);
      expect(e.sensor).toBe("test-sensor-1");
    }
  });
});

describe("event schema document", () => {
  it("docs/schemas/honeypot-event.schema.json is the zod schema's JSON Schema (UPDATE_SCHEMA=1 rewrites it)", () => {
    const file = path.join(repoRoot, "docs/schemas/honeypot-event.schema.json");
    const generated = `${JSON.stringify({ $id: "https://iotscope.dev/schemas/honeypot-event.schema.json", title: "iotscope honeypot event", ...z.toJSONSchema(honeypotEventSchema) }, null, 2)}\n`;
    if (process.env.UPDATE_SCHEMA === "1") writeFileSync(file, generated);
    expect(readFileSync(file, "utf8")).toBe(generated);
  });

  it("docs/honeypot-events.md documents every event id", () => {
    const doc = readFileSync(path.join(repoRoot, "docs/honeypot-events.md"), "utf8");
    for (const id of honeypotEventSchema.shape.eventid.options) expect(doc).toContain(`\`${id}\``);
  });
});

describe("limits", () => {
  it("refuses sessions past the per-source limit with sensor.limit events, themselves rate-limited", async () => {
    ts = await startTestSensor({ limits: { per_source_sessions: 2, limit_events_per_s: 2 } });
    const held = await Promise.all([MiraiClient.connect(ts.port), MiraiClient.connect(ts.port)]);
    await Promise.all(held.map((b) => b.prompt()));
    const refused = await Promise.all(Array.from({ length: 30 }, () => MiraiClient.connect(ts!.port)));
    await waitFor(() => refused.every((b) => b.closed), "refused sockets closed");
    // Summaries of what the event budget suppressed come at most a second later.
    await waitFor(() => ts!.events().some((e) => e.eventid === "sensor.limit" && e.message?.includes("suppressed")), "suppressed summary", 5000);
    const limitEvents = ts.events().filter((e) => e.eventid === "sensor.limit");
    expect(limitEvents.length).toBeLessThan(15); // 30 refusals, a budget of 2 per second plus summaries
    expect(limitEvents[0]).toMatchObject({ limit: "per_source_sessions", src_ip: "127.0.0.1", protocol: "telnet", transport: "tcp", dst_port: ts.port });
    const stats = ts.sensor.stats();
    expect(stats.limits.refusedSessions).toBe(30);
    expect(stats.limits.sessionsOpen).toBe(2);
    for (const b of held) b.close();
  });

  it("closes idle sessions after the idle timeout", async () => {
    ts = await startTestSensor({ limits: { idle_timeout_s: 0.3 } });
    const bot = await MiraiClient.connect(ts.port);
    await bot.prompt();
    await waitFor(() => bot.closed, "idle close", 5000);
    expect(ts.events().at(-1)).toMatchObject({ eventid: "session.closed", message: "idle timeout" });
  });
});

describe("hostile input", () => {
  it("random bytes, an oversized line, 1,200 connections and slow senders: the sensor stays up, bounded, and a normal session still completes", async () => {
    ts = await startTestSensor({ limits: { buffer_bytes: 4096, per_source_sessions: 5000 } });
    const port = ts.port;
    const rssBefore = process.memoryUsage().rss;

    // Random bytes (IACs included) on 50 connections.
    const noise = Array.from({ length: 50 }, (_, i) => {
      const s = net.connect({ port, host: "127.0.0.1" });
      s.on("error", () => {});
      const b = Buffer.alloc(64 * 1024);
      for (let k = 0; k < b.length; k++) b[k] = (k * 2654435761 + i * 97) >>> 24;
      s.write(b);
      return s;
    });

    // An oversized line at the login prompt and in the shell: cut at the buffer cap.
    const big = await MiraiClient.connect(port);
    await big.prompt();
    big.line("root");
    await big.prompt();
    big.line("xc3511");
    await big.prompt();
    big.line(`echo ${"A".repeat(200_000)}`);
    await big.prompt(10_000);

    // 1,200 connections held open, some trickling one byte at a time (slowloris).
    const many: net.Socket[] = [];
    for (let i = 0; i < 1200; i++) {
      const s = net.connect({ port, host: "127.0.0.1" });
      s.on("error", () => {});
      many.push(s);
    }
    await waitFor(() => ts!.sensor.stats().limits.sessionsOpen >= 1200, "1,200 sessions open", 30_000);
    const trickle = setInterval(() => {
      for (const s of many.slice(0, 100)) s.write("r");
    }, 20);

    // A well-formed session still completes while all that is going on.
    const bot = await MiraiClient.connect(port);
    await bot.prompt();
    bot.line("root");
    await bot.prompt();
    bot.line("xc3511");
    await bot.prompt();
    bot.line("/bin/busybox ECCHI");
    await bot.expect("ECCHI: applet not found");
    clearInterval(trickle);

    const inputs = ts.events().filter((e) => e.eventid === "telnet.command.input").map((e) => e.input!);
    const cut = inputs.find((i) => i.startsWith("echo AAAA"))!;
    expect(cut.length).toBeLessThanOrEqual(4096);
    expect(inputs).toContain("/bin/busybox ECCHI");
    for (const e of ts.events()) expect(honeypotEventSchema.safeParse(e).success).toBe(true);
    // Memory: well under 100 KiB per held connection (a loose bound, not a timing threshold).
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(1200 * 100 * 1024);
    for (const s of [...noise, ...many]) s.destroy();
    bot.close();
    big.close();
    await waitFor(() => ts!.sensor.stats().limits.sessionsOpen === 0, "all sessions released", 30_000);
  });
});
