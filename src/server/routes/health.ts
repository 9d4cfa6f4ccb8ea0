import { sql } from "kysely";
import type { FastifyPluginAsync } from "fastify";
import type { Storage } from "../../core/storage/index.js";
import { version } from "../../core/version.js";

/** `/healthz`: answers 200 only when the database answers too, so a load balancer sees real health. */
export const healthRoutes: FastifyPluginAsync<{ storage: Storage }> = async (app, { storage }) => {
  app.get(
    "/healthz",
    {
      schema: {
        summary: "Liveness and database health",
        tags: ["system"],
        response: {
          200: {
            type: "object",
            properties: {
              status: { type: "string", enum: ["ok"] },
              version: { type: "string" },
              db: { type: "string", enum: ["sqlite", "postgres"] },
            },
            required: ["status", "version", "db"],
          },
          503: {
            type: "object",
            properties: { status: { type: "string" }, error: { type: "string" } },
            required: ["status", "error"],
          },
        },
      },
    },
    async (_req, reply) => {
      try {
        await sql`select 1`.execute(storage.db);
        return { status: "ok" as const, version, db: storage.dialect };
      } catch (err) {
        return reply.code(503).send({ status: "unavailable", error: (err as Error).message });
      }
    },
  );
};
