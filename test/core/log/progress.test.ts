import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgress, renderBar } from "../../../src/core/log/index.js";

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = 100;
  return { stream, chunks };
}

describe("progress reporter", () => {
  it("writes periodic JSON progress lines when stderr is not a terminal", () => {
    let t = 0;
    const { stream, chunks } = sink(false);
    const p = createProgress({ label: "scan", total: 100, stream, intervalMs: 1000, now: () => t });
    t = 500;
    p.tick(10); // first draw: nothing drawn before, so it is due
    t = 700;
    p.tick(10); // within the interval: no line
    t = 2000;
    p.update({ responses: 7 });
    p.tick(30);
    p.finish();
    const lines = chunks.join("").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3); // tick@500, update@2000, finish (tick@700 and tick@2000 throttled)
    expect(lines[0]).toMatchObject({ progress: "scan", done: 10, total: 100, rate: 20 });
    expect(lines.at(-1)).toMatchObject({ progress: "scan", done: 50, total: 100, rate: 25, eta_s: 2, fields: { responses: 7 } });
  });

  it("redraws one bar in place on a terminal and ends the line when finished", () => {
    let t = 0;
    const { stream, chunks } = sink(true);
    const p = createProgress({ label: "sync", total: 4, stream, now: () => t });
    t = 1000;
    p.tick(2);
    p.finish();
    const out = chunks.join("");
    expect(out.startsWith("\rsync [")).toBe(true);
    expect(out).toContain("2/4 2/s");
    expect(out.endsWith("\n")).toBe(true);
  });

  it("renders a bar proportional to the work done and shows extra fields", () => {
    const line = renderBar({ label: "x", done: 5, total: 10, rate: 1, elapsed_s: 5, eta_s: 5, fields: { err: 1 } }, 80);
    const bar = /\[(#*)(-*)\]/.exec(line)!;
    expect(bar[1]!.length).toBe(bar[2]!.length);
    expect(line).toContain("5/10 1/s eta 5s err=1");
  });

  it("counts without a total when the amount of work is unknown", () => {
    const line = renderBar({ label: "read", done: 42, total: null, rate: 3, elapsed_s: 14, eta_s: null, fields: {} }, 80);
    expect(line).toBe("read 42 3/s");
  });
});
