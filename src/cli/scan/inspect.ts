/** `iotscope scan modules | campaigns | show | export`: reading the registry and the stored campaigns. */
import type { Command } from "commander";
import type { Campaign } from "../../scan/index.js";
import { countResults, getCampaign, listCampaigns, listScanModules, readResults, RecordWriter, renderSummary, summarize } from "../../scan/index.js";
import { withContext } from "../context.js";
import { numberFlag } from "./parse.js";

export function registerModules(scan: Command): void {
  scan
    .command("modules")
    .description("list the scan modules: name, transport, default port, flags")
    .action(async (_opts: unknown, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const modules = listScanModules().map((m) => ({
          name: m.name,
          transport: m.transport,
          defaultPort: m.defaultPort,
          description: m.description,
          flags: m.flags.map((f) => ({ ...f })),
        }));
        ctx.print(modules, () =>
          modules.length === 0
            ? "no scan modules registered"
            : modules
                .map((m) => {
                  const flags = m.flags.map((f) => `--${f.name}${f.value ? ` ${f.value}` : ""}`).join(" ");
                  return `${m.name.padEnd(12)} ${`${m.transport}/${m.defaultPort}`.padEnd(10)} ${m.description}${flags ? `\n${"".padEnd(24)}flags: ${flags}` : ""}`;
                })
                .join("\n"),
        );
      });
    });
}

export function registerCampaigns(scan: Command): void {
  scan
    .command("campaigns")
    .description("list scan campaigns, latest first")
    .option("--limit <n>", "at most this many (default 100)")
    .action(async (flags: { limit?: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const storage = await ctx.storage();
        const limit = numberFlag("--limit", flags.limit, { integer: true, min: 1 }) ?? 100;
        const campaigns = (await listCampaigns(storage.db, { limit })).map(overview);
        ctx.print(campaigns, () =>
          campaigns.length === 0
            ? "no scan campaigns yet"
            : campaigns
                .map(
                  (c) =>
                    `${c.id}  ${c.createdAt}  ${c.module.padEnd(8)} ${c.state.padEnd(11)} ${String(c.done).padStart(8)}/${c.targets} targets  ${c.operator}: ${c.purpose}`,
                )
                .join("\n"),
        );
      });
    });
}

/** The short form of a campaign used in listings. */
function overview(c: Campaign) {
  return {
    id: c.id,
    createdAt: c.createdAt,
    module: c.module,
    state: c.state,
    ports: c.ports,
    targets: c.targets.size,
    done: c.summary?.targetsDone ?? c.checkpoint?.counters.done ?? 0,
    shard: c.shard,
    shards: c.shards,
    operator: c.operator,
    purpose: c.purpose,
  };
}

export function registerShow(scan: Command): void {
  scan
    .command("show")
    .description("a campaign's settings and summary")
    .argument("<campaign>", "campaign id (or a unique prefix of it)")
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const storage = await ctx.storage();
        const c = await getCampaign(storage.db, id);
        const summary =
          c.summary ??
          summarize(
            { id: c.id, module: c.module, state: c.state, size: c.targets.size, blocklistedAtLoad: c.targets.blocklistedAddresses * c.ports.length },
            c.checkpoint?.counters ?? { done: 0, results: 0, refused: 0, probes: 0, statuses: {}, activeMs: 0 },
          );
        const stored = await countResults(storage.db, c.id);
        const { checkpoint: _checkpoint, ...campaign } = c;
        ctx.print({ ...campaign, summary, storedResults: stored }, () =>
          [
            renderSummary(summary),
            `  who/why     ${c.operator}: ${c.purpose}`,
            `  when        created ${c.createdAt}, started ${c.startedAt ?? "-"}, ended ${c.finishedAt ?? "-"}`,
            `  targets     ${c.targets.specs.join(" ")} on port(s) ${c.ports.join(",")}`,
            `  order       seed ${c.seed}, shard ${c.shard} of ${c.shards}`,
            `  limits      ${c.rate} probes/s, ${c.perNetRate}/s per network, ${c.concurrency} at once`,
            `  blocklist   ${c.blocklist.sources.map((s) => `${s.kind}${s.path ? ` ${s.path}` : ""} (${s.intervals} ranges)`).join(", ")}`,
          ].join("\n"),
        );
      });
    });
}

export function registerExport(scan: Command): void {
  scan
    .command("export")
    .description("a campaign's stored results as JSON lines (the documented record shape)")
    .argument("<campaign>", "campaign id (or a unique prefix of it)")
    .option("--output <file>", "write to this file (replacing it) instead of stdout")
    .action(async (id: string, flags: { output?: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const storage = await ctx.storage();
        const c = await getCampaign(storage.db, id);
        const writer = new RecordWriter(flags.output === undefined ? { stdout: process.stdout } : { file: flags.output, mode: "truncate" });
        try {
          let batch = [];
          for await (const { record } of readResults(storage.db, c.id)) {
            batch.push(record);
            if (batch.length >= 1000) {
              await writer.write(batch);
              batch = [];
            }
          }
          await writer.write(batch);
        } finally {
          await writer.close();
        }
      });
    });
}

