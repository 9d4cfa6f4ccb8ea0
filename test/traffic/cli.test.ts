import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CaptureWriter } from "../../src/traffic/pcap/index.js";
import { runCli } from "../helpers/cli.js";
import { describeWithShared, repoRoot, sharedFixture } from "../helpers/fixtures.js";
import { clientHello, dnsQuery, ether, ipv4, tcp, udp } from "./build.js";

function capture(format: "pcap" | "pcapng"): Buffer {
  const w = new CaptureWriter({ format });
  const frames = [
    ether(0x0800, ipv4(17, udp(3333, 53, dnsQuery("cloud.example.com")), { src: [192, 168, 1, 20], dst: [192, 168, 1, 1] })),
    ether(0x0800, ipv4(6, tcp(50000, 443, 0x02), { src: [192, 168, 1, 20], dst: [93, 184, 216, 34] })),
    ether(0x0800, ipv4(6, tcp(443, 50000, 0x12), { src: [93, 184, 216, 34], dst: [192, 168, 1, 20] })),
    ether(0x0800, ipv4(6, tcp(50000, 443, 0x18, clientHello("cloud.example.com")), { src: [192, 168, 1, 20], dst: [93, 184, 216, 34] })),
    ether(0x0806, new Uint8Array(28)),
    Uint8Array.from([1, 2, 3]), // too short for Ethernet: a decode error at packet 5
  ];
  frames.forEach((data, i) => w.write({ tsSec: 1_700_000_000 + i, tsNsec: 0, wireLength: data.length, data, linkType: 1 }));
  return w.toBuffer();
}

/** runCli feeds stdin as text; a capture is binary, so this variant hands the child the file as stdin. */
function runCliBinaryStdin(args: string[], stdinFile: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const fd = openSync(stdinFile, "r");
    const child = spawn(path.join(repoRoot, "node_modules/.bin/tsx"), [path.join(repoRoot, "src/cli/main.ts"), ...args], { cwd: repoRoot, stdio: [fd, "pipe", "pipe"] });
    closeSync(fd);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const dir = mkdtempSync(path.join(tmpdir(), "iotscope-traffic-cli-"));

describe("iotscope traffic read", () => {
  it("--json summary: format, packets, flows, protocols, talkers, decode errors with index", async () => {
    const file = path.join(dir, "home.pcap"); // pcapng despite the name: detected by magic
    writeFileSync(file, capture("pcapng"));
    const r = await runCli(["traffic", "read", file, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ format: "pcapng", linkTypes: [1], packets: 6, flows: 2, durationSec: 5 });
    expect(s.protocols).toEqual({
      dns: { packets: 1, bytes: expect.any(Number), flows: 1 },
      tls: { packets: 3, bytes: expect.any(Number), flows: 1 },
      arp: { packets: 1, bytes: 42, flows: 0 },
      other: { packets: 1, bytes: 3, flows: 0 },
    });
    expect(s.topTalkers[0].ip).toBe("192.168.1.20");
    expect(s.decodeErrors).toEqual({ count: 1, first: [{ index: 5, error: "ethernet: truncated (3 bytes)" }] });
  });

  it("human summary, and --packets from stdin: one JSON line per packet", async () => {
    const buf = capture("pcap");
    const file = path.join(dir, "home2.pcapng"); // classic pcap despite the name
    writeFileSync(file, buf);
    const human = await runCli(["traffic", "read", file]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/pcap capture, link types 1/);
    expect(human.stdout).toMatch(/packet 5: ethernet: truncated/);
    const r = await runCliBinaryStdin(["traffic", "read", "-", "--packets"], file);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6);
    expect(lines[3]).toMatchObject({ index: 3, app: "tls", tlsSni: "cloud.example.com", dstPort: 443 });
    expect(lines[0]).toMatchObject({ app: "dns", dnsQuery: "cloud.example.com" });
  });

  it("a truncated capture: summary of the packets before the damage, byte offset on stderr, exit 1", async () => {
    const buf = capture("pcap");
    const file = path.join(dir, "cut.pcap");
    writeFileSync(file, buf.subarray(0, buf.length - 2));
    const r = await runCli(["traffic", "read", file, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ packets: 5, captureError: { offset: buf.length - 2 - 16 - 1 } });
    expect(r.stderr).toMatch(new RegExp(`capture error at byte ${buf.length - 19}: truncated packet record`));
  });

  it("a missing file is a usage error (exit 2)", async () => {
    const r = await runCli(["traffic", "read", path.join(dir, "nope.pcap")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such file/);
  });
});

describeWithShared("traffic read on shared captures", () => {
  it("coap_mqtt.pcap: per-protocol packets/bytes/flows equal nDPI's for MQTT and CoAP", async () => {
    const file = sharedFixture("pcap/coap_mqtt.pcap");
    const r = await runCli(["traffic", "read", file, "--json"]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    const ndpi = readFileSync(`${file}.ndpi.out`, "utf8");
    for (const [ours, theirs] of [
      ["mqtt", "MQTT"],
      ["coap", "COAP"],
    ]) {
      const m = new RegExp(`^${theirs}\\t(\\d+)\\t(\\d+)\\t(\\d+)$`, "m").exec(ndpi);
      expect(m, theirs).not.toBeNull();
      expect(s.protocols[ours!]).toEqual({ packets: Number(m![1]), bytes: Number(m![2]), flows: Number(m![3]) });
    }
  });
});
