import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanRecordSchema } from "../../../src/scan/engine/record-schema.js";
import { loopbackRange, startLoopback, type Loopback } from "../engine/support/loopback.js";
import { runScanCli } from "./run-cli.js";

const tmp = () => mkdtempSync(path.join(tmpdir(), "iotscope-scan-cli-"));
const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

describe("iotscope scan (CLI)", () => {
  let peer: Loopback;
  beforeAll(async () => {
    peer = await startLoopback(loopbackRange(0, 3));
  });
  afterAll(async () => {
    await peer.close();
  });

  it("lists the modules, with transport, default port and flags", async () => {
    const r = await runScanCli(["scan", "modules", "--json"]);
    expect(r.code).toBe(0);
    const modules = JSON.parse(r.stdout) as { name: string }[];
    expect(modules).toContainEqual({
      name: "tcp-banner",
      transport: "tcp",
      defaultPort: 7,
      description: "test module: connect and read one line",
      flags: [{ name: "banner-prefix", description: "expected start of the banner", value: "<text>", default: "banner" }],
    });
    // The built-in protocol modules are registered, and their flags fit the engine's (else building the CLI throws).
    for (const name of ["coap", "ipp", "mqtt", "tls"]) expect(modules.map((m) => m.name)).toContain(name);
    const text = await runScanCli(["scan", "modules"]);
    expect(text.stdout).toMatch(/^tcp-banner\s+tcp\/7\s+test module/m);
  });

  it("shows a module's own flags in its help", async () => {
    const r = await runScanCli(["scan", "tcp-banner", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: iotscope scan tcp-banner [options] <target...>");
    for (const flag of ["--banner-prefix <text>", "--port <ports>", "--rate <pps>", "--allow-local-targets", "--optout <file>", "--shards <n>"]) {
      expect(r.stdout).toContain(flag);
    }
  });

  it("scans 127.0.0.1/30 and writes one documented JSON line per target; lists, shows and exports the campaign", async () => {
    const dir = tmp();
    const out = path.join(dir, "out.jsonl");
    writeFileSync(out, "");
    peer.hits.length = 0;
    const r = await runScanCli([
      "--data-dir", dir, "scan", "tcp-banner", "127.0.0.1/30", "--allow-local-targets", "--json",
      "--port", String(peer.port), "--output", out, "--purpose", "CLI test", "--operator", "tester",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const records = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((x) => x.ip).sort()).toEqual(loopbackRange(0, 3));
    for (const record of records) {
      expect(scanRecordSchema.safeParse(record).success).toBe(true);
      expect(record).toMatchObject({
        port: peer.port,
        module: "tcp-banner",
        status: "success",
        data: { "tcp-banner": { status: "success", protocol: "tcp-banner", result: { banner: `banner ${String(record.ip)}` } } },
      });
    }
    expect(peer.hits).toHaveLength(4);
    expect(lines(readFileSync(out, "utf8"))).toEqual(lines(r.stdout));
    const summary = (JSON.parse(lines(r.stderr).at(-1)!) as { summary: Record<string, unknown> }).summary;
    expect(summary).toMatchObject({ state: "finished", targets: 4, targetsDone: 4, probes: 4, results: 4, statuses: { success: 4 }, blocklisted: 0 });

    const campaigns = JSON.parse((await runScanCli(["--data-dir", dir, "scan", "campaigns", "--json"])).stdout) as Record<string, unknown>[];
    expect(campaigns).toHaveLength(1);
    expect(campaigns[0]).toMatchObject({ module: "tcp-banner", state: "finished", targets: 4, done: 4, operator: "tester", purpose: "CLI test" });
    const id = String(campaigns[0]!.id);

    const show = JSON.parse((await runScanCli(["--data-dir", dir, "scan", "show", id.slice(0, 8), "--json"])).stdout) as Record<string, unknown>;
    expect(show).toMatchObject({ id, state: "finished", operator: "tester", purpose: "CLI test", ports: [peer.port], storedResults: { success: 4 } });
    expect(show.summary).toEqual(summary);
    const human = await runScanCli(["--data-dir", dir, "scan", "show", id]);
    expect(human.stdout).toMatch(/probes\s+4 sent/);

    const exported = await runScanCli(["--data-dir", dir, "scan", "export", id]);
    expect(exported.code).toBe(0);
    expect(lines(exported.stdout).sort()).toEqual(lines(r.stdout).sort());
    const file = path.join(dir, "export.jsonl");
    await runScanCli(["--data-dir", dir, "scan", "export", id, "--output", file]);
    expect(lines(readFileSync(file, "utf8")).sort()).toEqual(lines(r.stdout).sort());
  });

  it("refuses a local target without --allow-local-targets: exit 2, one line naming the flag, nothing probed", async () => {
    peer.hits.length = 0;
    const r = await runScanCli(["--data-dir", tmp(), "scan", "tcp-banner", "127.0.0.1/30", "--port", String(peer.port), "--json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^iotscope: .*--allow-local-targets/);
    expect(peer.hits).toHaveLength(0);
  });

  it("refuses all-blocklisted targets, IPv6 enumeration and bad flags with one line", async () => {
    const dir = tmp();
    for (const [args, message] of [
      [["192.0.2.0/24"], /all 256 target addresses are blocklisted/],
      [["2001:db8::/64"], /IPv6 targets must be listed, not enumerated; give a hitlist file/],
      [["11.0.0.1", "--rate", "fast"], /--rate must be a number/],
      [["11.0.0.1", "--shards", "2"], /--shards needs --seed/],
      [["11.0.0.1", "--port", "70000"], /invalid port list/],
      [["@nope.txt"], /cannot read target file/],
    ] as const) {
      const r = await runScanCli(["--data-dir", dir, "scan", "tcp-banner", ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    const missing = await runScanCli(["--data-dir", dir, "scan", "show", "0000ffff"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no scan campaign 0000ffff/);
  });
});
