/**
 * The collector's commands under `iotscope honeypot`: collector, enrol, stats, sensors, events,
 * import-cowrie, export. Thin: parse flags, call the honeypot pillar, print. docs/honeypot.md
 * ("Collector") documents each. `registerHoneypot` (./honeypot.ts) calls this.
 */
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { once } from "node:events";
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { openGeo } from "../../core/geo/index.js";
import { createProgress } from "../../core/log/index.js";
import {
  collectorSettings,
  createEnrolToken,
  DEFAULT_ENROL_TTL_MS,
  DEFAULT_EVENTS_LIMIT,
  DEFAULT_STATS_LIMIT,
  dimensions,
  exportFormats,
  exportShadowserver,
  fleetView,
  honeypotStats,
  importCowrie,
  MAX_EVENTS_LIMIT,
  MAX_STATS_LIMIT,
  parseDimension,
  parseSince,
  protocols,
  queryEvents,
  type ExportFormat,
  type HoneypotProtocol,
} from "../../honeypot/index.js";
import { buildCollectorServer } from "../../server/index.js";
import { withContext } from "../context.js";
import { parseListen } from "../listen.js";

function intFlag(value: string | undefined, flag: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag}: ${JSON.stringify(value)} is not an integer between ${min} and ${max}`);
  return n;
}

const TTL_UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

export function registerHoneypotCollector(group: Command): void {
  group
    .command("collector")
    .description("run the collector standalone: the sensor protocol (enrol, events, heartbeat) and the stats/fleet/events API, over HTTPS")
    .option("--listen <addr>", "HOST:PORT to listen on (default 127.0.0.1:8443; config honeypotCollector.listen)")
    .option("--tls-cert <file>", "PEM certificate (config honeypotCollector.tlsCert)")
    .option("--tls-key <file>", "PEM private key (config honeypotCollector.tlsKey)")
    .option("--insecure-http", "serve plain HTTP instead of HTTPS: only on a loopback address, for testing")
    .action(async (opts: { listen?: string; tlsCert?: string; tlsKey?: string; insecureHttp?: boolean }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const cs = collectorSettings(ctx.settings.file);
        const listen = parseListen(opts.listen ?? cs.listen ?? "127.0.0.1:8443");
        const certFile = opts.tlsCert ?? cs.tlsCert;
        const keyFile = opts.tlsKey ?? cs.tlsKey;
        let tls: { cert: Buffer; key: Buffer } | undefined;
        if (opts.insecureHttp) {
          if (!isLoopback(listen.host)) throw new UsageError(`--insecure-http is only allowed on a loopback address, not ${listen.host}: give --tls-cert and --tls-key`);
        } else {
          if (certFile === undefined || keyFile === undefined) throw new UsageError("honeypot collector: give --tls-cert FILE and --tls-key FILE (sensors ship over HTTPS), or --insecure-http on 127.0.0.1 for testing");
          for (const [flag, f] of [["--tls-cert", certFile], ["--tls-key", keyFile]] as const) {
            if (!existsSync(f)) throw new UsageError(`${flag} ${f}: file not found`);
          }
          tls = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
        }
        const storage = await ctx.storage();
        const geo = await openGeo(cs.geo, { log: ctx.logger });
        const app = await buildCollectorServer({ storage, logger: ctx.logger, tls, geo, adminToken: cs.adminToken });
        const address = await app.listen({ host: listen.host, port: listen.port });
        ctx.print(
          { event: "listening", url: address, tls: tls !== undefined, db: storage.dialect, location: storage.location, geoip: geo.sources, admin_token: cs.adminToken !== undefined },
          () => `honeypot collector on ${address} (database: ${storage.dialect} ${storage.location}; GeoIP country ${geo.sources.country ?? "off"}, ASN ${geo.sources.asn ?? "off"}); Ctrl-C stops`,
        );
        await new Promise<void>((resolve) => {
          process.once("SIGINT", () => resolve());
          process.once("SIGTERM", () => resolve());
        });
        await app.close();
      });
    });

  group
    .command("enrol")
    .description("register a sensor and print a one-time enrolment token for it (the sensor trades it for its own token)")
    .requiredOption("--sensor <id>", "sensor id (letters, digits, _ . -)")
    .option("--country <cc>", "ISO 3166 country code of the sensor's network")
    .option("--asn <n>", "AS number of the sensor's network")
    .option("--net24 <cidr>", "the sensor's /24")
    .option("--location <text>", "free-text location (city, hosting provider)")
    .option("--ttl <duration>", "how long the enrolment token stays valid (30m, 12h, 1d; default 24h)")
    .action(async (opts: { sensor: string; country?: string; asn?: string; net24?: string; location?: string; ttl?: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        let ttlMs = DEFAULT_ENROL_TTL_MS;
        if (opts.ttl !== undefined) {
          const m = /^(\d+)([mhd])$/.exec(opts.ttl);
          if (!m || Number(m[1]) === 0) throw new UsageError(`--ttl ${JSON.stringify(opts.ttl)}: give a duration such as 30m, 12h or 7d`);
          ttlMs = Number(m[1]) * TTL_UNITS[m[2]!]!;
        }
        const asn = opts.asn === undefined ? undefined : intFlag(opts.asn.replace(/^AS/i, ""), "--asn", 0, 4_294_967_295, 0);
        const storage = await ctx.storage();
        const r = await createEnrolToken(storage, opts.sensor, { country: opts.country, asn, net24: opts.net24, location: opts.location }, { ttlMs });
        ctx.print(r, () => `enrolment token for sensor ${r.sensor} (valid once, until ${r.expires_at}):\n${r.enrol_token}`);
      });
    });

  group
    .command("stats")
    .description(`event counts by ${dimensions.join(" | ")} over a window (from the daily aggregates)`)
    .requiredOption("--by <dimension>", dimensions.join(" | "))
    .option("--since <when>", "duration (30m, 12h, 1d, 7d) or ISO date; resolution is the UTC day", "1d")
    .option("--protocol <p>", "only events of this protocol")
    .option("--limit <n>", `rows (default ${DEFAULT_STATS_LIMIT})`)
    .action(async (opts: { by: string; since: string; protocol?: string; limit?: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const by = parseDimension(opts.by);
        const since = parseSince(opts.since);
        const limit = intFlag(opts.limit, "--limit", 1, MAX_STATS_LIMIT, DEFAULT_STATS_LIMIT);
        const storage = await ctx.storage();
        const r = await honeypotStats(storage.db, { by, since, protocol: opts.protocol, limit });
        ctx.print(r, () => {
          const lines = [`honeypot events by ${by} since ${r.since_day}${r.protocol ? ` (${r.protocol})` : ""}: ${r.total} in total`];
          for (const row of r.rows) {
            const label = row.username !== undefined ? `${row.username} / ${row.password}` : row.commands ? `${row.key}  ${row.commands.join(" ; ").slice(0, 120)}` : row.key;
            lines.push(`${String(row.count).padStart(10)}  ${label}`);
          }
          return lines.join("\n");
        });
      });
    });

  group
    .command("sensors")
    .description("the fleet: sensors per country / ASN / network and their health (heartbeat age, clock skew, events/s)")
    .action(async (_opts: unknown, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const storage = await ctx.storage();
        const fleet = await fleetView(storage.db);
        ctx.print(fleet, () => {
          const t = fleet.totals;
          const lines = [
            `${t.sensors} sensors: ${t.ok} ok, ${t.stale} stale, ${t.silent} never heard from, ${t.imported} imported; ${Object.keys(fleet.by_country).length} countries, ${Object.keys(fleet.by_asn).length} ASNs, ${Object.keys(fleet.by_net24).length} networks`,
          ];
          for (const s of fleet.sensors) {
            const age = s.heartbeat_age_s === null ? "never" : `${s.heartbeat_age_s}s ago`;
            lines.push(
              `${s.id.padEnd(24)} ${s.health.padEnd(8)} ${(s.country ?? "??").padEnd(3)} AS${s.asn ?? "?"} ${s.net24 ?? "-"}  heartbeat ${age}, skew ${s.clock_skew_ms ?? "-"} ms, ${s.events_per_s ?? "-"} ev/s, ${s.events_received} events`,
            );
          }
          return lines.join("\n");
        });
      });
    });

  group
    .command("events")
    .description("stored events, newest first")
    .option("--sensor <id>")
    .option("--src-ip <ip>")
    .option("--eventid <id>")
    .option("--since <when>", "duration (30m, 12h, 1d) or ISO date/time")
    .option("--limit <n>", `rows (default ${DEFAULT_EVENTS_LIMIT})`)
    .action(async (opts: { sensor?: string; srcIp?: string; eventid?: string; since?: string; limit?: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const storage = await ctx.storage();
        const events = await queryEvents(storage.db, {
          sensor: opts.sensor,
          src_ip: opts.srcIp,
          eventid: opts.eventid,
          since: opts.since === undefined ? undefined : parseSince(opts.since),
          limit: intFlag(opts.limit, "--limit", 1, MAX_EVENTS_LIMIT, DEFAULT_EVENTS_LIMIT),
        });
        ctx.print({ events }, () => events.map((e) => JSON.stringify(e.event)).join("\n"));
      });
    });

  group
    .command("import-cowrie")
    .description("import a Cowrie JSON log (one event per line); re-importing the same log stores nothing new")
    .argument("<file>", "cowrie.json log")
    .option("--sensor <id>", "sensor name (default: each line's `sensor` field)")
    .option("--protocol <p>", "protocol of sessions whose connect line is missing (default ssh)")
    .action(async (file: string, opts: { sensor?: string; protocol?: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        if (!existsSync(file)) throw new UsageError(`import-cowrie: ${file}: file not found`);
        if (opts.protocol !== undefined && !(protocols as readonly string[]).includes(opts.protocol)) throw new UsageError(`--protocol: use one of ${protocols.join(", ")}`);
        const storage = await ctx.storage();
        const geo = await openGeo(collectorSettings(ctx.settings.file).geo, { log: ctx.logger });
        const progress = createProgress({ label: "import-cowrie" });
        const r = await importCowrie(storage, file, { sensor: opts.sensor, protocol: opts.protocol as HoneypotProtocol | undefined, geo, onProgress: (n) => progress.set(n) });
        progress.finish();
        for (const e of r.errors.slice(0, 100)) process.stderr.write(`${file}:${e.line}: ${e.reason}\n`);
        if (r.error_count > 100) process.stderr.write(`${file}: ${r.error_count - 100} more malformed lines\n`);
        ctx.print(r, () => {
          const skipped = Object.entries(r.skipped).map(([k, n]) => `${k} ${n}`).join(", ");
          return `${file}: ${r.lines} lines, ${r.events} events: ${r.accepted} stored, ${r.duplicates} already stored; ${r.error_count} malformed; skipped: ${skipped || "none"}; sensors: ${r.sensors.join(", ")}`;
        });
      });
    });

  group
    .command("export")
    .description("events as CSV in the layout of Shadowserver's honeypot event reports")
    .requiredOption("--format <f>", exportFormats.join(" | "))
    .option("--since <when>", "duration (12h, 1d, 7d) or ISO date", "1d")
    .option("--output <file>", "write to a file (default stdout)")
    .action(async (opts: { format: string; since: string; output?: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        if (!(exportFormats as string[]).includes(opts.format)) throw new UsageError(`--format ${JSON.stringify(opts.format)}: use one of ${exportFormats.join(", ")}`);
        const since = parseSince(opts.since);
        const storage = await ctx.storage();
        const out = opts.output === undefined ? process.stdout : createWriteStream(opts.output);
        let rows = -1;
        for await (const line of exportShadowserver(storage.db, opts.format as ExportFormat, since)) {
          rows++;
          if (!out.write(line)) await once(out, "drain");
        }
        if (opts.output !== undefined) {
          (out as ReturnType<typeof createWriteStream>).end();
          await once(out, "finish");
          ctx.print({ format: opts.format, output: opts.output, rows }, () => `${rows} rows written to ${opts.output}`);
        }
      });
    });
}
