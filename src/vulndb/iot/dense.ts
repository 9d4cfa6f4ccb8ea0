/**
 * The IoT-dense sources as the registered source modules declare them (SourceMeta.iotDense). Apart from
 * records.ts so that the classifier itself does not load every source module.
 */
import { sources as registeredSources } from "../sources/registry.js";

export function registeredIotDenseSources(): Set<string> {
  return new Set([...registeredSources.values()].filter((s) => s.meta.iotDense).map((s) => s.meta.name));
}
