/**
 * Hostile peers: whatever a server on the port does — speak HTTP, send garbage, an alert, drip bytes,
 * stay silent, close or reset mid-handshake, send a megabyte of certificates — the scan ends with a status
 * and a one-line error within its deadlines, never a crash or a hang.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { oneLine } from "../../../../src/scan/modules/tls/handshake.js";
import { tlsModule } from "../../../../src/scan/modules/tls/index.js";
import { loopbackTarget, testScanContext } from "../../../helpers/scan.js";
import { makeDeviceChain, makeTempDir, removeDir, startSServer, type CertFiles, type SServer } from "../../../peers/openssl.js";
import { partialServerHello, startHostileServer, tlsRecord, type HostileConnection, type HostileServer } from "./hostile-server.js";

let hostile: HostileServer | undefined;
afterEach(async () => {
  await hostile?.close();
  hostile = undefined;
});

async function scanHostile(script: (c: HostileConnection) => void, connectTimeoutMs = 800) {
  hostile = await startHostileServer(script);
  const ctx = testScanContext({ connectTimeoutMs, readTimeoutMs: 800 });
  const started = Date.now();
  try {
    const out = await tlsModule.scan(loopbackTarget(hostile.port), ctx);
    return { out, ms: Date.now() - started };
  } finally {
    ctx.close();
  }
}

describe("servers that do not speak TLS", () => {
  it("an HTTP server on the port → protocol-error", async () => {
    const { out } = await scanHostile((c) => c.socket.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/ERR_SSL|wrong version|packet length/i);
    expect(out.error).not.toContain("\n");
  });

  it("garbage bytes → protocol-error", async () => {
    const { out } = await scanHostile((c) => c.socket.write(Buffer.from("9f8e7d6c5b4a39281706f5e4d3c2b1a0".repeat(8), "hex")));
    expect(out.status).toBe("protocol-error");
  });

  it("a fatal handshake_failure alert → protocol-error naming the alert", async () => {
    const { out } = await scanHostile((c) => c.socket.end(tlsRecord(0x15, Buffer.from([2, 40]))));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/handshake failure/i);
    expect(out.error).not.toContain("\n");
  });

  it("OpenSSL's multi-line error text becomes one line with the code, reason and alert number", () => {
    const raw =
      "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 80DC03D91F7F0000:error:0A00042E:SSL routines:ssl3_read_bytes:" +
      "tlsv1 alert protocol version:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 70\n";
    expect(oneLine(raw)).toBe("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: tlsv1 alert protocol version (alert 70)");
    expect(oneLine("ECONNRESET: socket hang up")).toBe("ECONNRESET: socket hang up");
  });

  it("the ClientHello the scanner sent is a TLS handshake record, without SNI", async () => {
    const { out } = await scanHostile((c) => c.socket.destroy());
    expect(out.status).toBe("connection-closed");
    const hello = hostile!.connections[0]!.clientHello;
    expect(hello[0]).toBe(0x16);
    expect(hello.includes(Buffer.from("localhost"))).toBe(false);
  });
});

describe("servers that stall or hang up", () => {
  it("bytes dripped slower than the deadline → io-timeout on time", async () => {
    const { out, ms } = await scanHostile((c) => {
      const bytes = partialServerHello();
      let i = 0;
      const drip = () => {
        if (i < bytes.length) c.socket.write(bytes.subarray(i, ++i));
        c.later(150, drip);
      };
      drip();
    });
    expect(out.status).toBe("io-timeout");
    expect(ms).toBeLessThan(3000);
  });

  it("silence after the ClientHello → io-timeout", async () => {
    const { out, ms } = await scanHostile(() => {});
    expect(out.status).toBe("io-timeout");
    expect(ms).toBeLessThan(3000);
  });

  it("closing mid-ServerHello → connection-closed", async () => {
    const { out } = await scanHostile((c) => c.socket.end(partialServerHello()));
    expect(out.status).toBe("connection-closed");
  });

  it("a reset mid-handshake → connection-closed", async () => {
    const { out } = await scanHostile((c) => {
      c.socket.write(partialServerHello());
      c.later(20, () => c.socket.resetAndDestroy());
    });
    expect(out.status).toBe("connection-closed");
  });
});

describe("oversized certificate lists", () => {
  let dir: string;
  let chain: { ca: CertFiles; leaf: CertFiles };
  let server: SServer | undefined;
  beforeAll(async () => {
    dir = await makeTempDir();
    chain = await makeDeviceChain(dir);
  });
  afterAll(async () => {
    await server?.stop();
    await removeDir(dir);
  });

  it("a certificate list beyond OpenSSL's 100 KB limit → protocol-error", async () => {
    const chainPath = path.join(dir, "huge.pem");
    await writeFile(chainPath, chain.ca.pem.repeat(Math.ceil(110_000 / chain.ca.der.length)));
    server = await startSServer({ cert: chain.leaf, chainPath });
    const ctx = testScanContext();
    const out = await tlsModule.scan(loopbackTarget(server.port), ctx);
    ctx.close();
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/excessive message size/i);
  });

  it("a long chain under that limit is cut at 32 certificates and marked truncated", async () => {
    await server?.stop();
    const chainPath = path.join(dir, "long.pem");
    await writeFile(chainPath, chain.ca.pem.repeat(40));
    server = await startSServer({ cert: chain.leaf, chainPath });
    const ctx = testScanContext();
    const out = await tlsModule.scan(loopbackTarget(server.port), ctx);
    ctx.close();
    expect(out.status).toBe("success");
    const certs = out.result!.handshake_log!.server_certificates!;
    expect(certs.chain).toHaveLength(31);
    expect(certs.chain_truncated).toBe(true);
  });

  it("the byte cap bounds the recorded chain too", async () => {
    const ctx = testScanContext({ maxReadBytes: chain.leaf.der.length + 2 * chain.ca.der.length });
    const out = await tlsModule.scan(loopbackTarget(server!.port), ctx);
    ctx.close();
    const certs = out.result!.handshake_log!.server_certificates!;
    expect(certs.chain).toHaveLength(2);
    expect(certs.chain_truncated).toBe(true);
  });
});
