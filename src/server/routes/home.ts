import type { FastifyPluginAsync } from "fastify";
import { pillars } from "../../core/pillars.js";
import { version } from "../../core/version.js";

/** The home page: for now a plain overview of the pillars and the API; the dashboard replaces it. */
export const homeRoutes: FastifyPluginAsync = async (app) => {
  app.get("/", { schema: { hide: true } }, async (_req, reply) => {
    const items = pillars.map((p) => `<li><strong>${p.title}</strong> — ${escapeHtml(p.summary)}</li>`).join("\n");
    return reply.type("text/html; charset=utf-8").send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>iotscope</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#222}</style>
</head><body>
<h1>iotscope ${version}</h1>
<p>An open IoT security observatory. The dashboard is being built; meanwhile the API is here:</p>
<ul><li><a href="/healthz">/healthz</a> — health</li><li><a href="/openapi.json">/openapi.json</a> — OpenAPI document</li></ul>
<h2>Pillars</h2>
<ul>
${items}
</ul>
</body></html>`);
  });
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
