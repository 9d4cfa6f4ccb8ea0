/**
 * Test support for shipping: a CA and a 127.0.0.1 server certificate made with the openssl CLI, and
 * the real collector (the honeypot pillar's fastify routes over HTTPS, SQLite in a temporary data
 * dir) started in-process on a chosen port, stoppable and restartable on the same port and database.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { openStorage, type Storage } from "../../src/core/storage/index.js";
import { buildCollectorServer } from "../../src/server/index.js";

export interface TestCerts {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

export function makeCerts(dir = mkdtempSync(path.join(os.tmpdir(), "iotscope-certs-"))): TestCerts {
  const run = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=iotscope test collector CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "collector.key", "-out", "collector.csr", "-subj", "/CN=127.0.0.1"]);
  writeFileSync(path.join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  run(["x509", "-req", "-in", "collector.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "collector.crt", "-days", "2", "-extfile", "ext.cnf"]);
  return { dir, caFile: path.join(dir, "ca.crt"), certFile: path.join(dir, "collector.crt"), keyFile: path.join(dir, "collector.key") };
}

export class TestCollector {
  storage!: Storage;
  private app: FastifyInstance | undefined;

  constructor(
    readonly dataDir: string,
    readonly certs: TestCerts,
    readonly port: number,
  ) {}

  async open(): Promise<void> {
    this.storage ??= await openStorage({ dataDir: this.dataDir });
  }

  async start(): Promise<void> {
    await this.open();
    this.app = await buildCollectorServer({ storage: this.storage, tls: { cert: readFileSync(this.certs.certFile), key: readFileSync(this.certs.keyFile) } });
    await this.app.listen({ host: "127.0.0.1", port: this.port });
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }

  async eventIds(sensor: string): Promise<string[]> {
    const rows = await this.storage.db.selectFrom("honeypot_events").select("id").where("sensor", "=", sensor).execute();
    return rows.map((r) => r.id);
  }

  async close(): Promise<void> {
    await this.stop();
    await this.storage?.close();
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }
}
