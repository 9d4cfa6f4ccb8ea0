import type { Command } from "commander";
import { openGeo } from "../../core/geo/index.js";
import { collectorSettings } from "../../honeypot/index.js";
import { buildServer } from "../../server/index.js";
import { withContext } from "../context.js";
import { parseListen } from "../listen.js";

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("run the HTTP server: dashboard, REST API, /healthz and the OpenAPI document")
    .option("--listen <addr>", "address to listen on (HOST:PORT); 127.0.0.1 unless you say otherwise")
    .action(async (opts: { listen?: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const listen = parseListen(opts.listen ?? ctx.settings.file.serve?.listen ?? "127.0.0.1:8080");
        const storage = await ctx.storage();
        const hp = collectorSettings(ctx.settings.file);
        const honeypot = { adminToken: hp.adminToken, geo: await openGeo(hp.geo, { log: ctx.logger }) };
        const app = await buildServer({ storage, logger: ctx.logger, honeypot });
        const address = await app.listen({ host: listen.host, port: listen.port });
        ctx.print({ event: "listening", url: address, db: storage.dialect, location: storage.location }, () =>
          `iotscope serving on ${address} (database: ${storage.dialect} ${storage.location}); Ctrl-C stops`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
        await app.close();
      });
    });
}
