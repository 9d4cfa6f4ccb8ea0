/**
 * Packet counts against tcpdump (and tshark) when installed: `tcpdump -r file` prints one line per
 * packet. Skipped, visibly, on machines without them.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readCaptureSync } from "../../src/traffic/pcap/index.js";
import { haveSharedFixtures, sharedFixture } from "../helpers/fixtures.js";

function have(tool: string): boolean {
  return spawnSync(tool, ["--version"], { stdio: "ignore" }).error === undefined;
}

const dir = sharedFixture("pcap");
const captures = haveSharedFixtures && existsSync(dir) ? readdirSync(dir).filter((f) => !f.endsWith(".ndpi.out")) : [];

for (const [tool, args] of [
  ["tcpdump", ["-n", "-r"]],
  ["tshark", ["-n", "-r"]],
] as const) {
  describe(`packet counts vs ${tool}`, () => {
    if (!have(tool) || captures.length === 0) {
      it.skip(`skipped: ${tool} not installed or shared fixtures absent`, () => {});
      return;
    }
    for (const name of captures) {
      it(name, () => {
        const out = spawnSync(tool, [...args, `${dir}/${name}`], { encoding: "utf8" });
        expect(out.status).toBe(0);
        const lines = out.stdout.split("\n").filter((l) => l.trim() !== "").length;
        expect(readCaptureSync(readFileSync(`${dir}/${name}`)).packets.length).toBe(lines);
      });
    }
  });
}
