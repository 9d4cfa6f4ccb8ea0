/** `iotscope tag` and `iotscope rules …` run as a user would: child processes, real files. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const fixtures = path.join(import.meta.dirname, "fixtures");
const basic = path.join(fixtures, "basic");
const raw = readFileSync(path.join(fixtures, "asus-rt-ax88u.der.b64"), "utf8").trim();

const tlsRecord = {
  ip: "192.0.2.7",
  port: 443,
  module: "tls",
  status: "success",
  timestamp: "2024-05-01T12:00:00.000Z",
  data: {
    tls: {
      status: "success",
      protocol: "tls",
      timestamp: "2024-05-01T12:00:00.000Z",
      result: {
        handshake_log: {
          server_hello: { version: { name: "TLSv1.0", value: 769 } },
          server_certificates: { certificate: { raw: "AA==", parsed: { subject: { common_name: ["home.asuscomm.com"] }, issuer: { organization: ["Let's Encrypt"] } } } },
        },
      },
    },
  },
};
const mqttRecord = { ip: "192.0.2.8", port: 8443, module: "mqtt", status: "success", data: { mqtt: { status: "success", protocol: "mqtt", result: { anonymous_access: true, response_type: "CONNACK" } } } };

const input = [JSON.stringify(tlsRecord), JSON.stringify({ raw }), "{not json", "", JSON.stringify({ hello: 1 }), JSON.stringify(mqttRecord)].join("\n") + "\n";

function lines(text: string): Array<Record<string, unknown> & { tags: Array<Record<string, unknown>> }> {
  return text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

describe("iotscope tag", () => {
  it("tags a JSONL file in order, reports malformed lines by number, exits 1 at the end", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "iotscope-tag-"));
    const file = path.join(dir, "results.jsonl");
    writeFileSync(file, input);
    const r = await runCli(["tag", file, "--rules", basic]);
    expect(r.code, r.stderr).toBe(1);
    const out = lines(r.stdout);
    expect(out.map((o) => o.ip ?? "cert")).toEqual(["192.0.2.7", "cert", "192.0.2.8"]);
    expect(out[0]!.data).toEqual(tlsRecord.data);
    expect(out[0]!.tags.map((t) => [t.rule, t.state, t.vendor, t.kind, t.port])).toEqual([
      ["FX_asus_aicloud", "active", "ASUS", "x509", 443],
      ["FX_tls_old", "active", undefined, "tls", 443],
    ]);
    expect(out[1]!.raw).toBe(raw);
    expect(out[1]!.tags.map((t) => [t.rule, t.state, t.model ?? t.vendor])).toEqual([
      ["FX_asus_model", "active", "RT-AX88U"],
      ["FX_asus_org", "active", undefined],
      ["FX_asus_model_testing", "testing", "RT-AX88U"],
    ]);
    expect(out[1]!.tags[1]!.overridden).toEqual({ vendor: "ASUSTeK", device_type: "network_device" });
    // Both set `category`: the lower order (100) wins, the other keeps its value under `overridden`.
    expect(out[2]!.tags.map((t) => [t.rule, t.category, t.overridden])).toEqual([
      ["FX_mqtt_anonymous", "exposed-anonymous", undefined],
      ["FX_any_port", undefined, { category: "alt-https" }],
    ]);
    expect(r.stderr).toContain(`${file}:3: not JSON`);
    expect(r.stderr).toContain(`${file}:5: neither a scan record (with \`data\`) nor a certificate`);
    expect(r.stderr).toMatch(/tagged 3 of 3 records \(6 tags, 1 from testing rules\) with 7 rules; 2 malformed lines skipped/);
    expect(r.stderr.trim().split("\n").at(-1)).toBe("iotscope: 2 malformed input lines skipped (reported above); the other records were tagged");
  });

  it("reads stdin with -, writes --output, and prints a JSON summary with --json", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "iotscope-tag-"));
    const output = path.join(dir, "tagged.jsonl");
    const r = await runCli(["tag", "-", "--rules", basic, "--output", output, "--json"], { input: `${JSON.stringify(mqttRecord)}\n${JSON.stringify({ raw })}\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(lines(readFileSync(output, "utf8")).map((o) => o.tags.length)).toEqual([2, 3]);
    const summary = JSON.parse(r.stderr.trim().split("\n").at(-1)!) as { summary: Record<string, unknown> };
    expect(summary.summary).toMatchObject({ records: 2, tagged: 2, tags: 4, testing_tags: 1, malformed: 0, rules: 7, testing_rule_hits: { FX_asus_model_testing: 1 } });
  });

  it("refuses a missing input file and broken rules with exit code 2", async () => {
    const missing = await runCli(["tag", "/nonexistent/results.jsonl", "--rules", basic]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read \/nonexistent\/results.jsonl/);
    const broken = await runCli(["tag", "-", "--rules", path.join(fixtures, "broken")], { input: "" });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.rules:9:28: unknown operator `==`/);
    expect(broken.stderr).toMatch(/broken\.rules:20:35: regex not accepted by re2/);
    expect(broken.stderr).toMatch(/iotscope: 2 errors in the rules \(listed above\)/);
  });
});

describe("iotscope rules", () => {
  it("test: exit 1 with a report when an example fails", async () => {
    const r = await runCli(["rules", "test", "--rules", path.join(fixtures, "failing")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL test/tag/fixtures/failing/failing.rules:11 FX_failing (example match): did not match");
    expect(r.stdout).toContain('FAIL test/tag/fixtures/failing/failing.rules:12 FX_failing (example match): expected vendor="W", got "V"');
    expect(r.stdout).toContain("5 examples of 2 rules: 3 passed, 2 failed");
    expect(r.stderr).toContain("iotscope: 2 examples failed");
  });

  it("test: exit 0 when all pass; --json gives the report", async () => {
    const r = await runCli(["rules", "test", "--rules", basic, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ rules: 8, examples: 16, passed: 16, failed: 0, failures: [] });
  });

  it("lint: exit 1 on errors, 0 with warnings only", async () => {
    const broken = await runCli(["rules", "lint", "--rules", path.join(fixtures, "broken"), "--json"]);
    expect(broken.code).toBe(1);
    const report = JSON.parse(broken.stdout) as { errors: number; findings: Array<{ code: string; line: number }> };
    expect(report.errors).toBe(2);
    expect(report.findings.map((f) => [f.code, f.line])).toEqual([
      ["syntax", 9],
      ["syntax", 20],
    ]);
    const fine = await runCli(["rules", "lint", "--rules", basic, "--info"]);
    expect(fine.code, fine.stderr).toBe(0);
    expect(fine.stdout).toMatch(/info \[no-prefilter\]/);
    expect(fine.stdout).toMatch(/8 rules: 0 errors, 0 warnings, \d+ infos/);
  });

  it("list: the shipped rules by default, from any directory", async () => {
    const r = await runCli(["rules", "list", "--json"], { cwd: tmpdir() });
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ name: string; file: string }>;
    expect(Array.isArray(rows)).toBe(true);
    const human = await runCli(["rules", "list", "--rules", basic]);
    expect(human.stdout).toMatch(/^FX_asus_aicloud\s+active\s+x509\s+10\s+ASUS\s+test\/tag\/fixtures\/basic\/asus\.rules:3$/m);
    expect(human.stdout).toMatch(/8 rules \(6 active, 1 testing, 1 disabled\) in 2 files/);
  });
});
