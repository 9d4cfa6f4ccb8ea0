/**
 * The scan benchmark's TLS peer, run inside the target namespace:
 *
 *   node --import tsx bench/lib/tls-peer.ts <dir with leaf.crt, leaf.key, ca.crt> <port> <workers>
 *
 * A Node `tls.createServer` bound to every address, sending the device-like chain (leaf + CA) and doing
 * nothing after the handshake but wait for the client to close. Used instead of `openssl s_server`, which
 * serves one handshake at a time (~150 handshakes/s here, 7 minutes for a /16). With workers > 1 the
 * workers share the listening socket (cluster, SCHED_NONE: the kernel hands out connections).
 * Prints "ready <port>" on stdout once listening.
 */
import cluster from "node:cluster";
import { readFileSync } from "node:fs";
import path from "node:path";
import tls from "node:tls";

const [dir = ".", portArg = "443", workersArg = "1"] = process.argv.slice(2);
const port = Number(portArg);
const workers = Math.max(1, Number(workersArg));

if (workers > 1 && cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  let ready = 0;
  let stopping = false;
  for (let i = 0; i < workers; i++) {
    const w = cluster.fork();
    w.on("message", (m) => {
      if (m === "ready" && ++ready === workers) process.stdout.write(`ready ${port}\n`);
    });
  }
  cluster.on("exit", (w, code, signal) => {
    if (stopping) return;
    process.stderr.write(`tls-peer: worker ${w.process.pid} exited (${code ?? signal})\n`);
    process.exit(1);
  });
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} else {
  const leaf = readFileSync(path.join(dir, "leaf.crt"), "utf8");
  const ca = readFileSync(path.join(dir, "ca.crt"), "utf8");
  const server = tls.createServer({ key: readFileSync(path.join(dir, "leaf.key")), cert: leaf + ca }, (socket) => {
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on("error", () => undefined);
    socket.resume();
  });
  server.on("tlsClientError", () => undefined);
  server.on("error", (err) => {
    process.stderr.write(`tls-peer: ${err.message}\n`);
    process.exit(1);
  });
  server.listen({ port, host: "0.0.0.0", backlog: 65535 }, () => {
    if (process.send) process.send("ready");
    else process.stdout.write(`ready ${port}\n`);
  });
  process.on("SIGTERM", () => process.exit(0));
  process.on("SIGINT", () => process.exit(0));
}
