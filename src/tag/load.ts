/**
 * Rule sets from files: `loadRules(dirOrFiles)` reads every `*.rules` file under a directory (sorted,
 * so the set and its errors come out in the same order everywhere) or the files named, parses them all,
 * and checks what only the whole set can show (a rule name used in two files).
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../core/errors.js";
import type { Rule } from "./language/ast.js";
import { RuleLoadError, RuleSyntaxError } from "./language/errors.js";
import { parseRules } from "./language/parse.js";

export interface RuleSet {
  rules: Rule[];
  /** The files read, as named for the user. */
  files: string[];
  /** Empty unless loaded with `{ tolerant: true }` (otherwise errors throw). */
  errors: RuleSyntaxError[];
}

export interface LoadOptions {
  /** Return the errors in the set instead of throwing a RuleLoadError (for `rules lint`). */
  tolerant?: boolean;
}

/**
 * The rules shipped with iotscope: `rules/` at the package root. This file sits at src/tag/ (tsx,
 * tests) or dist/tag/ (the built CLI), two levels below the root either way.
 */
export function defaultRulesDir(): string {
  return fileURLToPath(new URL("../../rules/", import.meta.url));
}

async function listRuleFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listRuleFiles(full)));
    else if (e.isFile() && e.name.endsWith(".rules")) out.push(full);
  }
  return out;
}

/** Parses texts already in memory as one rule set (file name → text). */
export function ruleSetFromTexts(texts: ReadonlyArray<{ file: string; fileName?: string; text: string }>): RuleSet {
  const rules: Rule[] = [];
  const errors: RuleSyntaxError[] = [];
  const where = new Map<string, Rule>();
  for (const { file, fileName, text } of texts) {
    const parsed = parseRules(text, file, { fileName: fileName ?? file });
    errors.push(...parsed.errors);
    for (const rule of parsed.rules) {
      const first = where.get(rule.name);
      if (first) {
        const col = text.slice(rule.offset).indexOf(rule.name) + 1;
        errors.push(new RuleSyntaxError(file, rule.line, col, `duplicate rule name \`${rule.name}\` (first defined at ${first.file}:${first.line})`, [], rule.name));
        continue;
      }
      where.set(rule.name, rule);
      rules.push(rule);
    }
  }
  return { rules, files: texts.map((t) => t.file), errors };
}

export async function loadRules(dirOrFiles: string | readonly string[] = defaultRulesDir(), options: LoadOptions = {}): Promise<RuleSet> {
  const targets = typeof dirOrFiles === "string" ? [dirOrFiles] : [...dirOrFiles];
  const texts: Array<{ file: string; fileName: string; text: string }> = [];
  for (const target of targets) {
    let info;
    try {
      info = await stat(target);
    } catch (err) {
      throw new UsageError(`cannot read rules from ${target}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const files = info.isDirectory() ? await listRuleFiles(target) : [target];
    for (const file of files) {
      // Errors name files the way the user would type them: relative to here when below here.
      const shown = path.relative(process.cwd(), file);
      const display = shown.startsWith("..") || path.isAbsolute(shown) ? file : shown;
      const fileName = info.isDirectory() ? path.relative(target, file).split(path.sep).join("/") : path.basename(file);
      texts.push({ file: display, fileName, text: await readFile(file, "utf8") });
    }
  }
  const set = ruleSetFromTexts(texts);
  if (set.errors.length > 0 && !options.tolerant) throw new RuleLoadError(set.errors);
  return set;
}
