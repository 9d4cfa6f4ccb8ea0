/**
 * `iotscope tags search|summary`: the stored tags (written by `iotscope tag`), queried through the tag
 * pillar's store functions — the same ones the server's `GET /api/tags` uses.
 */
import { Option, type Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { MAX_SEARCH_LIMIT, searchTags, summarizeTags, type TagFilter } from "../../tag/index.js";
import { withContext } from "../context.js";

/** The filter flags are the pillar's own filter; commander gives `--state` its default. */
type FilterFlags = TagFilter & { state: NonNullable<TagFilter["state"]> };

function withFilters(cmd: Command): Command {
  return cmd
    .option("--vendor <name>", "exact vendor, as the rules write it (e.g. ASUS)")
    .option("--product <name>", "exact product")
    .option("--device-type <type>", "exact device type (e.g. router)")
    .option("--rule <name>", "tags of this rule")
    .option("--campaign <id>", "tags stored under this campaign id, or file:<label> for tags stored from a file")
    .option("--ip <address>", "tags of this address")
    .addOption(new Option("--state <state>", "active (published) tags, tags of testing rules, or all").choices(["active", "testing", "all"]).default("active"));
}

/** Only the filter keys: the action's flags also carry limit/after. */
function filterOf(f: FilterFlags): TagFilter {
  const { vendor, product, deviceType, rule, campaign, ip, state } = f;
  return { vendor, product, deviceType, rule, campaign, ip, state };
}

function positive(text: string, flag: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag} ${text}: give a whole number from 1 to ${max}`);
  return n;
}

export function registerTags(program: Command): void {
  const tags = program.command("tags").description("Stored tags: search them by vendor, device type, rule, campaign; summarise them (docs/rules.md)");

  withFilters(tags.command("search").description("stored tags matching every filter given, one per rule and target, oldest first"))
    .option("--limit <n>", `at most this many (1–${MAX_SEARCH_LIMIT})`, "100")
    .option("--after <id>", "tags after this id (the `next` of the previous page)")
    .action(async (flags: FilterFlags & { limit: string; after?: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const limit = positive(flags.limit, "--limit", MAX_SEARCH_LIMIT);
        const after = flags.after === undefined ? undefined : positive(flags.after, "--after", Number.MAX_SAFE_INTEGER);
        const page = await searchTags((await ctx.storage()).db, { ...filterOf(flags), limit, after });
        ctx.print(page, () => {
          const lines = page.tags.map((t) => {
            const values = Object.entries({ vendor: t.vendor, product: t.product, device_type: t.deviceType, version: t.version })
              .filter(([, v]) => v !== null)
              .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
              .join(" ");
            const overridden = t.tag.overridden ? ` (overridden: ${Object.keys(t.tag.overridden).join(", ")})` : "";
            return `${t.ip}:${t.port}  ${t.module}  ${t.rule}${t.state === "testing" ? " [testing]" : ""}  ${values}${overridden}  ${t.campaign}  ${t.taggedAt}`;
          });
          const more = page.next !== null ? `more: --after ${page.next}` : "no more";
          return [...lines, `${page.tags.length} tag${page.tags.length === 1 ? "" : "s"}; ${more}`].join("\n");
        });
      });
    });

  withFilters(tags.command("summary").description("targets and tags by vendor and device type, most targets first")).action(async (flags: FilterFlags, cmd: Command) => {
    await withContext(cmd, async (ctx) => {
      const rows = await summarizeTags((await ctx.storage()).db, filterOf(flags));
      ctx.print(rows, () => {
        const cell = (v: string | null) => v ?? "-";
        const width = Math.max(6, ...rows.map((r) => cell(r.vendor).length));
        const typeWidth = Math.max(11, ...rows.map((r) => cell(r.deviceType).length));
        return [
          `${"vendor".padEnd(width)}  ${"device_type".padEnd(typeWidth)}  targets     tags`,
          ...rows.map((r) => `${cell(r.vendor).padEnd(width)}  ${cell(r.deviceType).padEnd(typeWidth)}  ${String(r.targets).padStart(7)}  ${String(r.tags).padStart(7)}`),
          `${rows.reduce((n, r) => n + r.tags, 0)} ${flags.state === "all" ? "" : `${flags.state} `}tags`,
        ].join("\n");
      });
    });
  });
}
