/**
 * A small JSON-over-HTTPS client for the collector (node:https with a keep-alive agent that trusts
 * the configured CA file). Returns the status and parsed body; network failures reject.
 */
import { readFileSync } from "node:fs";
import https from "node:https";
import { describeError, UsageError } from "../../core/errors.js";

export interface JsonResponse {
  status: number;
  body: unknown;
}

/** Largest reply we read: acks are tiny, anything bigger is not a collector. */
const MAX_REPLY = 1 << 20;

export class CollectorClient {
  private readonly agent: https.Agent;
  private readonly base: URL;

  constructor(url: string, caFile: string | undefined, private readonly timeoutMs: number) {
    let ca: Buffer | undefined;
    if (caFile) {
      try {
        ca = readFileSync(caFile);
      } catch (err) {
        throw new UsageError(`collector.ca_file ${caFile}: ${describeError(err)}`);
      }
    }
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 2, ca });
    this.base = new URL(url);
  }

  post(path: string, body: unknown, token?: string, signal?: AbortSignal): Promise<JsonResponse> {
    const payload = Buffer.from(JSON.stringify(body));
    const url = new URL(this.base.pathname.replace(/\/$/, "") + path, this.base);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method: "POST",
          agent: this.agent,
          timeout: this.timeoutMs,
          signal,
          headers: {
            "content-type": "application/json",
            "content-length": payload.length,
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > MAX_REPLY) req.destroy(new Error("collector reply too large"));
            else chunks.push(c);
          });
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text for the log
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no reply within ${this.timeoutMs} ms`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
