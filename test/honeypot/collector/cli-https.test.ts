/**
 * The collector as a user runs it: `iotscope honeypot collector` over real HTTPS (an openssl-made
 * certificate), a sensor's enrol → events → heartbeat with node:https, then the read commands.
 */
import { request } from "node:https";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startCli } from "../../helpers/cli.js";
import { makeSelfSigned, type CertFiles } from "../../peers/openssl.js";
import { event, telnetSession } from "./support.js";

const cowrieLog = path.join(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/cowrie.json");

function httpsJson(url: string, ca: string, method: string, body?: unknown, token?: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        ca,
        headers: { ...(data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

describe("honeypot collector CLI over HTTPS", () => {
  let dir: string;
  let cert: CertFiles;
  const cli = (args: string[]) => runCli(["--data-dir", dir, ...args], { env: { IOTSCOPE_HONEYPOT_ADMIN_TOKEN: "cli-admin-token-0123456789" } });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "iotscope-collector-"));
    cert = await makeSelfSigned(dir, { name: "collector", subject: "/CN=localhost", key: "ec", addext: ["subjectAltName=IP:127.0.0.1,DNS:localhost"] });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses to serve plain HTTP unless asked, and plain HTTP off loopback at all", async () => {
    const noTls = await cli(["honeypot", "collector", "--listen", "127.0.0.1:0"]);
    expect(noTls.code).toBe(2);
    expect(noTls.stderr).toMatch(/--tls-cert/);
    const exposed = await cli(["honeypot", "collector", "--insecure-http", "--listen", "0.0.0.0:0"]);
    expect(exposed.code).toBe(2);
    expect(exposed.stderr).toMatch(/loopback/);
  }, 120_000);

  it("enrols a sensor, takes its batches and heartbeats over HTTPS, and reports them", async () => {
    const enrol = await cli(["--json", "honeypot", "enrol", "--sensor", "fra-01", "--country", "DE", "--asn", "AS3320", "--net24", "198.51.100.0/24"]);
    expect(enrol.code, enrol.stderr).toBe(0);
    const { enrol_token } = JSON.parse(enrol.stdout) as { enrol_token: string };

    const server = await startCli(
      ["--json", "--data-dir", dir, "honeypot", "collector", "--listen", "127.0.0.1:0", "--tls-cert", cert.certPath, "--tls-key", cert.keyPath],
      (l) => l.includes('"listening"'),
      { timeoutMs: 60_000 },
    );
    try {
      const { url, tls } = JSON.parse(server.line) as { url: string; tls: boolean };
      expect(tls).toBe(true);
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const base = `${url}/api/honeypot/v1`;
      const enrolled = await httpsJson(`${base}/enrol`, cert.pem, "POST", { enrol_token, sensor: "fra-01" });
      expect(enrolled.status).toBe(200);
      const token = (enrolled.body as { token: string }).token;
      expect((await httpsJson(`${base}/enrol`, cert.pem, "POST", { enrol_token, sensor: "fra-01" })).status).toBe(403);

      const now = new Date().toISOString().slice(0, 10);
      const events = [...telnetSession({ sensor: "fra-01", session: "h001", commands: ["enable", "sh"], day: now }), event({ sensor: "fra-01", timestamp: `${now}T00:00:00.000Z` })];
      const batch = { sensor: "fra-01", batch_id: "seg-1", events };
      expect((await httpsJson(`${base}/events`, cert.pem, "POST", batch)).status).toBe(401);
      const ack = await httpsJson(`${base}/events`, cert.pem, "POST", batch, token);
      expect(ack).toEqual({ status: 200, body: { batch_id: "seg-1", accepted: events.length, duplicates: 0, rejected: [] } });
      const resent = await httpsJson(`${base}/events`, cert.pem, "POST", batch, token);
      expect(resent.body).toMatchObject({ accepted: 0, duplicates: events.length });
      const hb = await httpsJson(`${base}/heartbeat`, cert.pem, "POST", { sensor: "fra-01", time: new Date().toISOString(), spooled_events: 0, sessions_open: 1, events_per_s: 2, emulators: ["telnet"] }, token);
      expect(hb.status).toBe(200);
      const health = await httpsJson(`${url}/healthz`, cert.pem, "GET");
      expect(health.status).toBe(200);
    } finally {
      await server.stop();
    }

    const stats = await cli(["--json", "honeypot", "stats", "--by", "sensor", "--since", "1d"]);
    expect(stats.code, stats.stderr).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ by: "sensor", rows: [{ key: "fra-01", count: 7 }] });
    const sensors = await cli(["--json", "honeypot", "sensors"]);
    const fleet = JSON.parse(sensors.stdout) as { sensors: Array<{ id: string; health: string; asn: number; country: string; events_received: number }> };
    expect(fleet.sensors).toEqual([expect.objectContaining({ id: "fra-01", health: "ok", asn: 3320, country: "DE", events_received: 7 })]);
    const human = await cli(["honeypot", "stats", "--by", "credential", "--since", "1d"]);
    expect(human.stdout).toMatch(/root \/ xc3511/);
  }, 240_000);

  it("imports a Cowrie log (reporting bad lines with their numbers) and exports Shadowserver CSV", async () => {
    const imported = await cli(["--json", "honeypot", "import-cowrie", cowrieLog]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ accepted: 22, error_count: 2 });
    expect(imported.stderr).toContain(`${cowrieLog}:26: not JSON`);
    const again = await cli(["--json", "honeypot", "import-cowrie", cowrieLog]);
    expect(JSON.parse(again.stdout)).toMatchObject({ accepted: 0, duplicates: 22 });
    const out = path.join(dir, "brute.csv");
    const exported = await cli(["--json", "honeypot", "export", "--format", "shadowserver-brute-force", "--since", "2026-11-24", "--output", out]);
    expect(exported.code, exported.stderr).toBe(0);
    const lines = (await readFile(out, "utf8")).trim().split("\n");
    expect(lines[0]).toMatch(/^"timestamp","protocol","src_ip"/);
    // 6 Cowrie login attempts plus the 2 of the HTTPS test's session.
    expect(JSON.parse(exported.stdout)).toMatchObject({ rows: lines.length - 1 });
    expect(lines.length - 1).toBeGreaterThanOrEqual(6);
  }, 180_000);
});
