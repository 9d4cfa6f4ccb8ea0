/**
 * A small LibreTranslate-compatible server for the tests (the protocol peer; LibreTranslate itself is a
 * Python service with multi-GB models, not something a unit test can start). It follows LibreTranslate's
 * /translate handler: JSON or form body {q, source, target, format, api_key}; `q` a string or an array
 * (answered in kind); 400 {"error"} for a missing parameter, an unsupported language, a batch or
 * character limit exceeded; 403 for a wrong API key; 500 for a translation failure. Its "model" is a
 * dictionary of whole texts; other texts come back as "[<source>→<target>] <text>".
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface PeerOptions {
  apiKey?: string;
  languages?: string[];
  charLimit?: number;
  batchLimit?: number;
  dictionary?: Record<string, string>;
  /** "hang": never answer; "error500": every request fails; "garbage": 200 with non-JSON. */
  mode?: "normal" | "hang" | "error500" | "garbage";
}

export interface Peer {
  url: string;
  requests: Array<{ q: string | string[]; source: string; target: string; format?: string; api_key?: string }>;
  options: PeerOptions;
  close(): Promise<void>;
}

export async function startLibreTranslatePeer(options: PeerOptions = {}): Promise<Peer> {
  const requests: Peer["requests"] = [];
  const languages = options.languages ?? ["en", "ja", "zh", "es", "de", "fr", "ko", "ru"];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.method !== "POST" || req.url !== "/translate") return send(404, { error: "Not Found" });
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: Record<string, unknown>;
      if ((req.headers["content-type"] ?? "").includes("application/json")) {
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          return send(400, { error: "Invalid request: invalid JSON" });
        }
      } else body = Object.fromEntries(new URLSearchParams(raw));
      requests.push(body as Peer["requests"][number]);
      const mode = options.mode ?? "normal";
      if (mode === "hang") {
        hanging.add(res);
        return;
      }
      if (mode === "error500") return send(500, { error: "Cannot translate text: model crashed" });
      if (mode === "garbage") {
        res.writeHead(200, { "content-type": "text/html" });
        return res.end("<html>proxy error</html>");
      }
      if (options.apiKey !== undefined && body.api_key !== options.apiKey) return send(403, { error: "Invalid API key" });
      const { q, source, target } = body as { q?: unknown; source?: unknown; target?: unknown };
      if (!q || (Array.isArray(q) && q.length === 0)) return send(400, { error: "Invalid request: missing q parameter" });
      if (!source) return send(400, { error: "Invalid request: missing source parameter" });
      if (!target) return send(400, { error: "Invalid request: missing target parameter" });
      const batch = Array.isArray(q);
      const texts = (batch ? q : [q]) as unknown[];
      if (!texts.every((t) => typeof t === "string")) return send(400, { error: "Invalid request: q must be text" });
      if (batch && options.batchLimit !== undefined && texts.length > options.batchLimit) {
        return send(400, { error: `Invalid request: request (${texts.length}) exceeds text limit (${options.batchLimit})` });
      }
      const chars = (texts as string[]).reduce((n, t) => n + t.length, 0);
      if (options.charLimit !== undefined && chars > options.charLimit) {
        return send(400, { error: `Invalid request: request (${chars}) exceeds text limit (${options.charLimit})` });
      }
      if (!languages.includes(String(source))) return send(400, { error: `${String(source)} is not supported` });
      if (!languages.includes(String(target))) return send(400, { error: `${String(target)} is not supported` });
      const out = (texts as string[]).map((t) => options.dictionary?.[t] ?? `[${String(source)}→${String(target)}] ${t}`);
      send(200, { translatedText: batch ? out : out[0] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    options,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
