/**
 * Loads personas (personas/<name>.json at the repo root, or a configured folder) and checks them
 * against the persona schema; a mistake names the file, the path inside it and why.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describeError, UsageError } from "../../core/errors.js";
import { personaSchema, type Persona } from "../persona.js";
import { formatIssues } from "./config.js";

/** The shipped personas: <package root>/personas (same depth from src/ and dist/). */
export const defaultPersonasDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../personas");

export function loadPersonaFile(file: string): Persona {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`persona ${file}: ${describeError(err)}`);
  }
  const parsed = personaSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(formatIssues(file, parsed.error));
  if (parsed.data.name !== path.basename(file, ".json")) {
    throw new UsageError(`${file}: name: "${parsed.data.name}" must equal the file name`);
  }
  return parsed.data;
}

export function loadPersona(name: string, dir = defaultPersonasDir): Persona {
  const file = path.join(dir, `${name}.json`);
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name) || !existsSync(file)) {
    throw new UsageError(`unknown persona "${name}" (in ${dir}: ${listPersonas(dir).join(", ") || "none"})`);
  }
  return loadPersonaFile(file);
}

export function listPersonas(dir = defaultPersonasDir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort();
}
