/**
 * Benchmark runner: `npm run bench -- <name> [args…]` runs bench/<name>.ts, whose default export prints
 * its own figures (and, where a peer tool exists on the machine, the peer's figure from the same run).
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(
    `${name ? `unknown benchmark "${name}". ` : ""}usage: npm run bench -- <name> [args]\navailable: ${available.join(", ")}\n`,
  );
  process.exit(2);
}
const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as {
  default: (args: string[]) => Promise<void>;
};
await mod.default(args);
