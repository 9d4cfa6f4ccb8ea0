/**
 * Public API of the traffic pillar. Other pillars, the CLI and the server import only from here.
 * (The pillar's modules land with its issue; until then this names the pillar.)
 */
import { pillars } from "../core/pillars.js";

export const pillar = pillars.find((p) => p.folder === "traffic")!;

// Capture I/O, decoding and flows (issue 7, part 1).
export type { DecodedPacket } from "./packet.js";
export * from "./pcap/index.js";
export * from "./decode/index.js";
export * from "./flows/index.js";
