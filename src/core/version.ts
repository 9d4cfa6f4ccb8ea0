import { readFileSync } from "node:fs";

/**
 * The package version, read at run time: the same relative path reaches package.json from src/core
 * (tsx, tests) and dist/core (the built CLI), and tsc's rootDir forbids importing it.
 */
export const version: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;
