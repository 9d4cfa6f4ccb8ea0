/**
 * Run inside the scanner namespace before the benchmark: checks that the peers answer on the given
 * addresses of the /16 (not only on one), each with the protocol's real reply, and that CoAP replies come
 * from the address asked (libcoap bound to 0.0.0.0 must answer from the target address). Retries until
 * `deadlineMs`, so it doubles as the readiness wait.
 *
 *   node --import tsx bench/lib/check-peers.ts '{"addresses":["10.202.0.1",…],"deadlineMs":15000,"tlsCn":"…"}'
 *
 * Prints one JSON line: {"ok":true} or {"ok":false,"failures":[…]}.
 */
import dgram from "node:dgram";
import net from "node:net";
import tls from "node:tls";

interface Args {
  addresses: string[];
  deadlineMs: number;
  tlsCn: string;
  mqttPort?: number;
  coapPort?: number;
  tlsPort?: number;
}

const args = JSON.parse(process.argv[2] ?? "{}") as Args;

// MQTT 3.1.1 CONNECT, clean session, keep-alive 60, client id "bench-check".
const CONNECT = Buffer.from("101700044d5154540402003c000b62656e63682d636865636b", "hex");
// CoAP CON GET /.well-known/core, message id 0x7d70, no token (ZMap's probe).
const COAP_GET = Buffer.from("40017d70bb2e77656c6c2d6b6e6f776e04636f7265", "hex");

function mqtt(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    const done = (err?: string) => {
      s.destroy();
      resolve(err);
    };
    s.setTimeout(2000, () => done("timeout"));
    s.once("connect", () => s.write(CONNECT));
    s.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 4) done(buf[0] === 0x20 && buf[3] === 0 ? undefined : `unexpected reply ${buf.toString("hex")}`);
    });
    s.on("error", (e) => done(e.message));
  });
}

function coap(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket("udp4");
    const done = (err?: string) => {
      clearTimeout(timer);
      sock.close();
      resolve(err);
    };
    const timer = setTimeout(() => done("timeout"), 1000);
    sock.on("error", (e) => done(e.message));
    sock.on("message", (msg, rinfo) => {
      if (rinfo.address !== host) return done(`reply came from ${rinfo.address}, not ${host}`);
      // ACK (type 2) with code 2.05 Content and our message id.
      const ok = msg.length >= 4 && ((msg[0]! >> 4) & 3) === 2 && msg[1] === 0x45 && msg.readUInt16BE(2) === 0x7d70;
      done(ok ? undefined : `unexpected reply ${msg.subarray(0, 8).toString("hex")}`);
    });
    sock.send(COAP_GET, port, host);
  });
}

function tlsCheck(host: string, port: number, cn: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = tls.connect({ host, port, rejectUnauthorized: false });
    const done = (err?: string) => {
      s.destroy();
      resolve(err);
    };
    s.setTimeout(3000, () => done("timeout"));
    s.once("secureConnect", () => {
      const cert = s.getPeerCertificate(true);
      const chain = cert.issuerCertificate && cert.issuerCertificate !== cert ? 2 : 1;
      done(cert.subject?.CN === cn && chain === 2 ? undefined : `unexpected certificate ${cert.subject?.CN} (chain ${chain})`);
    });
    s.on("error", (e) => done(e.message));
  });
}

const deadline = Date.now() + args.deadlineMs;
let failures: string[] = [];
for (;;) {
  failures = [];
  for (const host of args.addresses) {
    const [m, c, t] = await Promise.all([
      mqtt(host, args.mqttPort ?? 1883),
      coap(host, args.coapPort ?? 5683),
      tlsCheck(host, args.tlsPort ?? 443, args.tlsCn),
    ]);
    if (m) failures.push(`mqtt ${host}: ${m}`);
    if (c) failures.push(`coap ${host}: ${c}`);
    if (t) failures.push(`tls ${host}: ${t}`);
  }
  if (failures.length === 0 || Date.now() > deadline) break;
  await new Promise((r) => setTimeout(r, 200));
}
process.stdout.write(`${JSON.stringify(failures.length === 0 ? { ok: true } : { ok: false, failures })}\n`);
