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
// Features (AfterImage, per-device windows) and models (KitNET, model files) — issue 7, part 2.
export * from "./features/index.js";
export * from "./models/kitnet/index.js";
export * from "./models/common/index.js";
