/**
 * Public API of the honeypot pillar. Other pillars, the CLI and the server import only from here.
 * (The pillar's modules land with its issue; until then this names the pillar.)
 */
import { pillars } from "../core/pillars.js";

export const pillar = pillars.find((p) => p.folder === "honeypot")!;
export * from "./collector/index.js";
export * from "./wire.js";
export { eventIds, honeypotEventSchema, protocols, type EventId, type HoneypotEvent, type HoneypotProtocol } from "./events.js";
export * from "./sensor/index.js";
