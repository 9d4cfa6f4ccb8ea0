/**
 * Scan modules by name. Adding a protocol = one folder under src/scan/modules/<name>/ exporting
 * `<name>Module`, and one import + one list entry here.
 */
import { coapModule } from "./coap/index.js";
import { ippModule } from "./ipp/index.js";
import { mqttModule } from "./mqtt/index.js";
import { tlsModule } from "./tls/index.js";
import type { ScanModule } from "./types.js";

/** The modules that ship with iotscope. */
const builtinModules: readonly ScanModule[] = [coapModule, ippModule, mqttModule, tlsModule];

/** Names the `scan` command uses for itself, so no module may take them. */
export const reservedModuleNames: readonly string[] = ["modules", "campaigns", "show", "export", "resume", "help"];

const registry = new Map<string, ScanModule>();

/**
 * Adds a module (a plug-in, or a test's own module). Refuses a name that is taken or reserved, or that
 * is not a lowercase word (it becomes a subcommand and a key in every result record).
 */
export function registerScanModule(module: ScanModule): void {
  if (!/^[a-z][a-z0-9-]*$/.test(module.name)) throw new Error(`scan module name ${JSON.stringify(module.name)} must be lowercase letters, digits and dashes`);
  if (reservedModuleNames.includes(module.name)) throw new Error(`scan module name ${module.name} is reserved by the scan command`);
  if (registry.has(module.name)) throw new Error(`scan module ${module.name} is registered twice`);
  registry.set(module.name, module);
}

for (const m of builtinModules) registerScanModule(m);

/**
 * True for the modules that ship with iotscope: the ones a probe worker thread can load by name (a module
 * registered at run time exists only in the thread that registered it).
 */
export function isBuiltinModule(module: ScanModule): boolean {
  return builtinModules.includes(module);
}

export function getScanModule(name: string): ScanModule | undefined {
  return registry.get(name);
}

/** Every registered module, by name. */
export function listScanModules(): ScanModule[] {
  return [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
}
