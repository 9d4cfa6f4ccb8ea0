/**
 * Ships the spool to the collector (wire.ts): the oldest closed segment goes as one EventBatch; it
 * is deleted only after a valid BatchAck for that batch id. Anything else — collector down, 5xx,
 * bad token, timeout — keeps the batch and retries with exponential back-off (with jitter, capped),
 * so after a restart or an outage every unacknowledged batch is sent again (the collector drops
 * duplicates by event id). A batch the collector refuses as malformed (400/413/422) is moved aside
 * to <spool>/rejected/ and logged, so one bad batch cannot stall the queue forever.
 *
 * Enrolment: with `enrol_token` and no `token`, the sensor POSTs /enrol once and keeps the returned
 * token in <spool dir>/token (0600), which later runs read.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { describeError } from "../../core/errors.js";
import type { Spool } from "../spool/spool.js";
import { batchAckSchema, enrolResponseSchema, heartbeatAckSchema, WIRE_PREFIX, type EnrolRequest, type EventBatch, type Heartbeat } from "../wire.js";
import type { CollectorConfig } from "../sensor/config.js";
import { CollectorClient } from "./client.js";

export interface ShipperOptions {
  config: CollectorConfig;
  sensor: string;
  spool: Spool;
  /** Where the enrolled token is kept (the spool dir). */
  stateDir: string;
  personas: string[];
  log: Logger;
  /** Heartbeat content, sent every heartbeat_s. */
  heartbeat?: () => Heartbeat;
}

export class Shipper {
  /** Events acknowledged by the collector since start. */
  shipped = 0;
  batches = 0;
  /** Clock skew the collector last reported (ms). */
  skewMs: number | undefined;
  private readonly client: CollectorClient;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private token: string | undefined;
  private failures = 0;
  private hbTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: ShipperOptions) {
    this.client = new CollectorClient(o.config.url, o.config.ca_file, o.config.timeout_ms);
    this.token = o.config.token ?? this.storedToken();
  }

  get tokenFile(): string {
    return path.join(this.o.stateDir, "token");
  }

  start(): void {
    this.loop ??= this.run().catch((err) => this.o.log.error({ err }, "shipper stopped on an unexpected error"));
    if (this.o.heartbeat && !this.hbTimer) {
      const beat = this.o.heartbeat;
      this.hbTimer = setInterval(() => void this.heartbeat(beat()), this.o.config.heartbeat_s * 1000);
      this.hbTimer.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.hbTimer);
    this.abort.abort();
    await this.loop;
    this.client.close();
  }

  /** Sends one heartbeat; failures are logged, never thrown (the next one will try again). */
  async heartbeat(h: Heartbeat): Promise<void> {
    if (!this.token || this.abort.signal.aborted) return;
    try {
      const res = await this.client.post(`${WIRE_PREFIX}/heartbeat`, h, this.token, this.abort.signal);
      const ack = heartbeatAckSchema.safeParse(res.body);
      if (res.status === 200 && ack.success) {
        this.skewMs = ack.data.skew_ms;
        if (Math.abs(ack.data.skew_ms) > 5000) this.o.log.warn({ skew_ms: ack.data.skew_ms }, "sensor clock differs from the collector's");
      } else this.o.log.warn({ status: res.status }, "heartbeat refused");
    } catch (err) {
      if (!this.abort.signal.aborted) this.o.log.debug({ err: describeError(err) }, "heartbeat failed");
    }
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted && !this.token) await this.enrol();
    while (!signal.aborted) {
      const batch = this.o.spool.nextBatch();
      if (!batch) {
        await this.o.spool.waitForBatch(signal);
        continue;
      }
      const body: EventBatch = { sensor: this.o.sensor, batch_id: batch.id, events: batch.events };
      let outcome: "acked" | "retry" | "rejected";
      try {
        const res = await this.client.post(`${WIRE_PREFIX}/events`, body, this.token, signal);
        const ack = batchAckSchema.safeParse(res.body);
        if (res.status === 200 && ack.success && ack.data.batch_id === batch.id) {
          outcome = "acked";
          this.o.log.debug({ batch: batch.id, accepted: ack.data.accepted, duplicates: ack.data.duplicates }, "batch acknowledged");
        } else if (res.status === 400 || res.status === 413 || res.status === 422) {
          outcome = "rejected";
          this.o.log.error({ batch: batch.id, status: res.status, reply: res.body }, "collector refused the batch; moved to rejected/");
        } else {
          outcome = "retry";
          this.o.log.warn({ batch: batch.id, status: res.status, reply: res.body }, "collector did not acknowledge the batch; will retry");
        }
      } catch (err) {
        if (signal.aborted) return;
        outcome = "retry";
        this.o.log.warn({ batch: batch.id, err: describeError(err) }, "collector unreachable; will retry");
      }
      if (outcome === "acked") {
        this.o.spool.ack(batch.id);
        this.shipped += batch.events.length;
        this.batches++;
        this.failures = 0;
      } else if (outcome === "rejected") {
        this.o.spool.quarantine(batch.id);
      } else await this.backoff();
    }
  }

  private async enrol(): Promise<void> {
    const c = this.o.config;
    const req: EnrolRequest = {
      enrol_token: c.enrol_token!,
      sensor: this.o.sensor,
      personas: this.o.personas,
      ...(c.country ? { country: c.country } : {}),
      ...(c.asn !== undefined ? { asn: c.asn } : {}),
      ...(c.net24 ? { net24: c.net24 } : {}),
      ...(c.location ? { location: c.location } : {}),
    };
    try {
      const res = await this.client.post(`${WIRE_PREFIX}/enrol`, req, undefined, this.abort.signal);
      const parsed = enrolResponseSchema.safeParse(res.body);
      if (res.status === 200 && parsed.success) {
        this.storeToken(parsed.data.token);
        this.token = parsed.data.token;
        this.failures = 0;
        this.o.log.info({ sensor: parsed.data.sensor }, "enrolled with the collector; token stored");
        return;
      }
      this.o.log.error({ status: res.status, reply: res.body }, "enrolment refused; will retry");
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.o.log.warn({ err: describeError(err) }, "collector unreachable for enrolment; will retry");
    }
    await this.backoff();
  }

  private storedToken(): string | undefined {
    if (!existsSync(this.tokenFile)) return undefined;
    const t = readFileSync(this.tokenFile, "utf8").trim();
    return t || undefined;
  }

  /** Atomic: write a temporary file (0600) and rename it over. */
  private storeToken(token: string): void {
    const tmp = `${this.tokenFile}.tmp`;
    writeFileSync(tmp, `${token}\n`, { mode: 0o600, flush: true });
    renameSync(tmp, this.tokenFile);
  }

  /** Exponential back-off with ±20 % jitter, capped; returns early when stopped. */
  private backoff(): Promise<void> {
    const { retry_min_ms: min, retry_max_ms: max } = this.o.config;
    const ms = Math.min(max, min * 2 ** Math.min(this.failures++, 20)) * (0.8 + Math.random() * 0.4);
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const signal = this.abort.signal;
      function done() {
        clearTimeout(t);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  }
}
