/**
 * Progress for long work, shared by every long command. On a terminal: one bar redrawn in place on
 * stderr. Otherwise (CI, pipes, log collectors): one JSON line on stderr every `intervalMs`, plus a
 * final line, so that scripts can follow without parsing escape codes.
 */
export interface ProgressOptions {
  label: string;
  /** Units expected in total, when known. */
  total?: number;
  /** Where to draw; defaults to process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Force a mode; by default a TTY gets a bar and anything else JSON lines. */
  mode?: "bar" | "json" | "off";
  intervalMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface ProgressSnapshot {
  label: string;
  done: number;
  total: number | null;
  rate: number;
  elapsed_s: number;
  eta_s: number | null;
  fields: Record<string, number | string>;
}

export interface Progress {
  /** Adds `n` (default 1) units done. */
  tick(n?: number): void;
  /** Sets the absolute count done. */
  set(done: number): void;
  /** Extra counters shown with the bar (e.g. responses, errors). */
  update(fields: Record<string, number | string>): void;
  setTotal(total: number): void;
  snapshot(): ProgressSnapshot;
  /** Draws the final state and stops redrawing. */
  finish(): void;
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => Date.now());
  const mode = opts.mode ?? (stream.isTTY ? "bar" : "json");
  const interval = opts.intervalMs ?? (mode === "bar" ? 100 : 5000);
  const start = now();
  let done = 0;
  let total = opts.total ?? null;
  let fields: Record<string, number | string> = {};
  let lastDraw = Number.NEGATIVE_INFINITY;
  let finished = false;

  const snapshot = (): ProgressSnapshot => {
    const elapsed = Math.max(now() - start, 0) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = total !== null && rate > 0 ? Math.max(total - done, 0) / rate : null;
    return {
      label: opts.label,
      done,
      total,
      rate: Math.round(rate * 10) / 10,
      elapsed_s: Math.round(elapsed * 10) / 10,
      eta_s: eta === null ? null : Math.round(eta),
      fields: { ...fields },
    };
  };

  const draw = (force: boolean): void => {
    if (mode === "off" || finished) return;
    const t = now();
    if (!force && t - lastDraw < interval) return;
    lastDraw = t;
    const s = snapshot();
    if (mode === "json") {
      stream.write(`${JSON.stringify({ progress: s.label, ...s, label: undefined })}\n`);
      return;
    }
    stream.write(`\r${renderBar(s, stream.columns ?? 80)}\x1b[K`);
  };

  return {
    tick(n = 1) {
      done += n;
      draw(false);
    },
    set(value) {
      done = value;
      draw(false);
    },
    update(extra) {
      fields = { ...fields, ...extra };
      draw(false);
    },
    setTotal(value) {
      total = value;
    },
    snapshot,
    finish() {
      draw(true);
      if (mode === "bar" && !finished) stream.write("\n");
      finished = true;
    },
  };
}

/** One line: label, bar (when the total is known), counts, rate, ETA and extra fields. */
export function renderBar(s: ProgressSnapshot, columns: number): string {
  const extras = Object.entries(s.fields)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const counts = s.total !== null ? `${s.done}/${s.total}` : `${s.done}`;
  const eta = s.eta_s !== null ? ` eta ${s.eta_s}s` : "";
  const tail = ` ${counts} ${s.rate}/s${eta}${extras ? ` ${extras}` : ""}`;
  if (s.total === null || s.total <= 0) return `${s.label}${tail}`.slice(0, columns - 1);
  const width = Math.max(10, Math.min(40, columns - s.label.length - tail.length - 4));
  const filled = Math.min(width, Math.round((s.done / s.total) * width));
  return `${s.label} [${"#".repeat(filled)}${"-".repeat(width - filled)}]${tail}`.slice(0, columns - 1);
}
