/**
 * `iotscope traffic read <capture|->`: reads a pcap or pcapng file (or stdin, e.g. `tcpdump -w -`),
 * decodes every packet and prints a summary (format, link types, packets, bytes, duration, flows,
 * application protocols, top talkers, decode errors by packet index); `--packets` prints one JSON line
 * per decoded packet instead. A truncated or corrupt capture still reports what was read before the
 * damage, then names the byte offset on stderr and exits 1.
 */
import { existsSync, statSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { createProgress } from "../../core/log/index.js";
import { readCapture, summarizeCapture, type CaptureSummary, type DecodedPacket } from "../../traffic/index.js";
import { withContext } from "../context.js";

/** The capture was damaged: results printed, exit code 1 (not a usage mistake). */
class CaptureDamaged extends UsageError {
  constructor(message: string) {
    super(message);
    (this as { exitCode: number }).exitCode = 1;
  }
}

export function registerTraffic(program: Command): void {
  const traffic = program.command("traffic").description("traffic analysis: read captures (pcap/pcapng), decode, flows");
  traffic
    .command("read")
    .description("read a capture (pcap or pcapng, by magic bytes; '-' for stdin) and summarise it")
    .argument("<capture>", "capture file, or - for stdin")
    .option("--packets", "one JSON line per decoded packet instead of the summary")
    .action(async (capture: string, flags: { packets?: boolean }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        let total: number | undefined;
        if (capture !== "-") {
          if (!existsSync(capture)) throw new UsageError(`traffic read: ${capture}: no such file`);
          const st = statSync(capture);
          if (!st.isFile()) throw new UsageError(`traffic read: ${capture}: not a file`);
          total = st.size;
        }
        const reader = readCapture(capture === "-" ? process.stdin : capture, { onError: "stop", source: capture === "-" ? "stdin" : capture });
        const progress = flags.packets || total === undefined || total < 50_000_000 ? undefined : createProgress({ label: "traffic read" });
        const onPacket = flags.packets ? printPacket : progress ? () => progress.tick() : undefined;
        const summary = await summarizeCapture(reader, onPacket ? { onPacket } : {});
        progress?.finish();
        if (!flags.packets) ctx.print({ source: capture, ...summary }, () => renderSummary(capture, summary));
        if (summary.captureError)
          throw new CaptureDamaged(`traffic read: ${capture}: capture error at byte ${summary.captureError.offset}: ${summary.captureError.reason} (${summary.packets} packets read before it)`);
      });
    });
}

function printPacket(p: DecodedPacket): void | Promise<void> {
  if (process.stdout.write(`${JSON.stringify(p)}\n`)) return;
  return new Promise((resolve) => process.stdout.once("drain", () => resolve()));
}

function renderSummary(source: string, s: CaptureSummary): string {
  const lines = [
    `${source}: ${s.format ?? "unknown"} capture, link types ${s.linkTypes.join(", ") || "-"}`,
    `packets ${s.packets}, bytes ${s.bytes} (captured ${s.capturedBytes}), duration ${s.durationSec.toFixed(3)} s` +
      (s.firstTs !== null ? ` from ${new Date(s.firstTs * 1000).toISOString()}` : ""),
    `flows ${s.flows}`,
    "protocols:",
    ...Object.entries(s.protocols)
      .sort((a, b) => b[1].packets - a[1].packets)
      .map(([app, c]) => `  ${app.padEnd(8)} ${String(c.packets).padStart(9)} packets ${String(c.bytes).padStart(12)} bytes ${String(c.flows).padStart(7)} flows`),
    "top talkers (bytes sent):",
    ...s.topTalkers.map((t) => `  ${t.ip.padEnd(40)} ${String(t.packets).padStart(9)} packets ${String(t.bytes).padStart(12)} bytes`),
    `decode errors: ${s.decodeErrors.count}`,
    ...s.decodeErrors.first.map((e) => `  packet ${e.index}: ${e.error}`),
  ];
  return lines.join("\n");
}
