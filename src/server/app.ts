/**
 * The HTTP face of iotscope (fastify). Each pillar adds one routes file under src/server/routes/ and one
 * line in `registerRoutes`. The OpenAPI document is generated from the route schemas, so it cannot drift.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import swagger from "@fastify/swagger";
import type { Logger } from "../core/log/index.js";
import type { Storage } from "../core/storage/index.js";
import { version } from "../core/version.js";
import { healthRoutes } from "./routes/health.js";
import { homeRoutes } from "./routes/home.js";
import { honeypotRoutes, type CollectorOptions } from "./routes/honeypot.js";
import { tagRoutes } from "./routes/tags.js";
import { vulnsRoutes } from "./routes/vulns.js";

export interface ServerDeps {
  storage: Storage;
  logger?: Logger;
  /** The honeypot collector's enrichment and admin token (default: from the environment). */
  honeypot?: CollectorOptions;
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger and fastify's logger type differ only in optional members; the instance is compatible.
    loggerInstance: deps.logger as FastifyBaseLogger | undefined,
    bodyLimit: 10 * 1024 * 1024,
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "iotscope API",
        version,
        description: "REST API of the iotscope IoT security observatory. The web pages use the same API.",
      },
    },
  });
  await app.register(healthRoutes, { storage: deps.storage });
  await app.register(homeRoutes);
  await app.register(honeypotRoutes, { storage: deps.storage, collector: deps.honeypot });
  await app.register(tagRoutes, { storage: deps.storage });
  await app.register(vulnsRoutes, { storage: deps.storage });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  return app;
}
