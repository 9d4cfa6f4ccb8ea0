/**
 * The emulators a sensor can run, by config key. Adding a protocol = one folder under ./<name>/
 * exporting `emulator`, and one line here.
 */
import type { Emulator } from "./types.js";
import { emulator as telnet } from "./telnet/index.js";
import { emulator as mqtt } from "./mqtt/index.js";
import { emulator as coap } from "./coap/index.js";
import { emulator as http } from "./http/index.js";
import { emulator as ssdp } from "./ssdp/index.js";

export const emulators: Record<string, Emulator> = {
  telnet,
  mqtt: mqtt as Emulator,
  coap: coap as Emulator,
  http: http as Emulator,
  ssdp: ssdp as Emulator,
};
