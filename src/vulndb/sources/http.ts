/**
 * The HTTP client sources fetch with: Node's own fetch (undici), plus what a polite feed consumer
 * needs and fetch alone lacks — a minimum interval between requests per host (NVD asks for ~6 s
 * without a key), retries with back-off on 429/502/503/504 honouring Retry-After, conditional requests
 * (ETag / Last-Modified) so an unchanged feed costs one 304, a response-size cap, and a timeout.
 * One client serves every source of a run (one user agent, one pacing per host): a source with its
 * own rules asks for them here — `setHostInterval` for its host's pace, and per-request `retries`,
 * `timeoutMs` and `retryStatuses` (NVD answers 403 when it rate-limits) — rather than building a client.
 */
export interface HttpClientOptions {
  /** Minimum milliseconds between two requests to the same host (default 0). */
  minIntervalMs?: number;
  /** Per-host overrides of minIntervalMs. */
  hostIntervalMs?: Record<string, number>;
  retries?: number;
  timeoutMs?: number;
  /** Statuses answered by waiting (Retry-After, else back-off) and trying again (default 429, 502, 503, 504). */
  retryStatuses?: readonly number[];
  /** First back-off delay in ms, doubled per attempt up to 30 s (default 500). */
  backoffMs?: number;
  /** Refuse bodies larger than this (default 512 MiB). */
  maxBytes?: number;
  userAgent?: string;
}

export interface HttpRequest {
  headers?: Record<string, string>;
  /** Validators from a previous response; a 304 answer gives `notModified: true`. */
  etag?: string;
  lastModified?: string;
  signal?: AbortSignal;
  /** Overrides of the client's options for this request. */
  retries?: number;
  timeoutMs?: number;
  retryStatuses?: readonly number[];
}

export interface HttpResponse {
  url: string;
  status: number;
  notModified: boolean;
  body: Buffer;
  etag?: string;
  lastModified?: string;
  headers: Headers;
}

export class HttpError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    message: string,
  ) {
    super(`GET ${url}: ${message}`);
    this.name = "HttpError";
  }
}

const RETRY_STATUSES: readonly number[] = [429, 502, 503, 504];

export class HttpClient {
  private readonly nextSlot = new Map<string, number>();
  private readonly hostInterval = new Map<string, number>();
  constructor(private readonly opts: HttpClientOptions = {}) {
    for (const [host, ms] of Object.entries(opts.hostIntervalMs ?? {})) this.hostInterval.set(host, ms);
  }

  /** A source's own pace for a host (`host` as in a URL: name[:port]); the last call for a host wins. */
  setHostInterval(host: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`interval for ${host} must be a number of ms >= 0, not ${ms}`);
    this.hostInterval.set(host, ms);
  }

  async get(url: string, req: HttpRequest = {}): Promise<HttpResponse> {
    const retries = req.retries ?? this.opts.retries ?? 3;
    const retryStatuses = req.retryStatuses ?? this.opts.retryStatuses ?? RETRY_STATUSES;
    for (let attempt = 0; ; attempt++) {
      await this.waitTurn(new URL(url).host, req.signal);
      const headers: Record<string, string> = { "user-agent": this.opts.userAgent ?? "iotscope (+https://github.com/iotscope)", ...req.headers };
      if (req.etag) headers["if-none-match"] = req.etag;
      if (req.lastModified) headers["if-modified-since"] = req.lastModified;
      const timeout = AbortSignal.timeout(req.timeoutMs ?? this.opts.timeoutMs ?? 60_000);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      let res: Response;
      try {
        res = await fetch(url, { headers, signal, redirect: "follow" });
      } catch (err) {
        if (req.signal?.aborted || attempt >= retries) throw new HttpError(url, 0, (err as Error).message);
        await sleep(this.backoff(attempt), req.signal);
        continue;
      }
      if (retryStatuses.includes(res.status) && attempt < retries) {
        await res.body?.cancel();
        await sleep(retryAfter(res.headers.get("retry-after")) ?? this.backoff(attempt), req.signal);
        continue;
      }
      const base = { url: res.url || url, status: res.status, headers: res.headers, etag: res.headers.get("etag") ?? undefined, lastModified: res.headers.get("last-modified") ?? undefined };
      if (res.status === 304) return { ...base, notModified: true, body: Buffer.alloc(0) };
      if (!res.ok) {
        await res.body?.cancel();
        throw new HttpError(url, res.status, `HTTP ${res.status} ${res.statusText}`);
      }
      return { ...base, notModified: false, body: await this.readCapped(url, res) };
    }
  }

  async getJson(url: string, req: HttpRequest = {}): Promise<{ res: HttpResponse; json: unknown }> {
    const res = await this.get(url, req);
    if (res.notModified) return { res, json: undefined };
    try {
      return { res, json: JSON.parse(res.body.toString("utf8")) };
    } catch (err) {
      throw new HttpError(url, res.status, `not JSON: ${(err as Error).message}`);
    }
  }

  private async readCapped(url: string, res: Response): Promise<Buffer> {
    const max = this.opts.maxBytes ?? 512 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    if (!res.body) return Buffer.alloc(0);
    for await (const chunk of res.body) {
      size += chunk.byteLength;
      if (size > max) throw new HttpError(url, res.status, `response larger than ${max} bytes`);
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks, size);
  }

  private async waitTurn(host: string, signal?: AbortSignal): Promise<void> {
    const interval = this.hostInterval.get(host) ?? this.opts.minIntervalMs ?? 0;
    if (interval <= 0) return;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot.get(host) ?? 0);
    this.nextSlot.set(host, slot + interval);
    if (slot > now) await sleep(slot - now, signal);
  }

  private backoff(attempt: number): number {
    return Math.min(30_000, (this.opts.backoffMs ?? 500) * 2 ** attempt);
  }
}

/** Retry-After is either seconds or an HTTP date. */
function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.min(seconds * 1000, 300_000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.min(date - Date.now(), 300_000));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
