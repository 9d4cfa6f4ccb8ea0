/**
 * `iotscope honeypot …`: the honeypot pillar's command group. The sensor's commands and the collector's
 * (./honeypot-collector.ts) register here; docs/honeypot.md documents them.
 */
import type { Command } from "commander";
import { pillar } from "../../honeypot/index.js";
import { registerHoneypotCollector } from "./honeypot-collector.js";
import { registerHoneypotSensor } from "./honeypot-sensor.js";

export function registerHoneypot(program: Command): void {
  const group = program.command("honeypot").description(`${pillar.title}: ${pillar.summary}`);
  registerHoneypotSensor(group);
  registerHoneypotCollector(group);
}
