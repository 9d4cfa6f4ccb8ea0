// scratch (perf helper, not committed): keeps a testbed + peers up until SIGTERM
import { writeFileSync, mkdtempSync } from "node:fs";
import { createTestbed, destroyTestbedAsync } from "./lib/testbed.js";
import { startPeers } from "./lib/peers.js";
import { killPidAsync } from "./lib/proc.js";
const dir = mkdtempSync("/tmp/perf/tb-");
const tb = createTestbed();
const peers = await startPeers(tb, { dir, tlsWorkers: 2, log: (s) => process.stderr.write(s + "\n") });
writeFileSync("/tmp/perf/tb.json", JSON.stringify({ a: tb.a, b: tb.b, dir, pids: peers.daemons.map((d) => d.pid) }));
process.stderr.write("ready\n");
const stop = async () => { for (const d of peers.daemons) await killPidAsync(d.pid, 1000); await destroyTestbedAsync(tb); process.exit(0); };
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
setInterval(() => {}, 1 << 30);
