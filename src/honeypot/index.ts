/**
 * Public API of the honeypot pillar. Other pillars, the CLI and the server import only from here.
 * (The pillar's modules land with its issue; until then this names the pillar.)
 */
import { pillars } from "../core/pillars.js";

export const pillar = pillars.find((p) => p.folder === "honeypot")!;
