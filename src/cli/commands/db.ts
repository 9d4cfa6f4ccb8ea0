import type { Command } from "commander";
import { migrateToLatest, migrationStatus } from "../../core/storage/index.js";
import { withContext } from "../context.js";

export function registerDb(program: Command): void {
  const db = program.command("db").description("database: migrations and status (SQLite by default, PostgreSQL with --db)");
  db.command("migrate")
    .description("apply pending migrations (also done automatically on start); running it twice is a no-op")
    .action(async (_opts: unknown, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const storage = await ctx.storage();
        const result = await migrateToLatest(storage);
        ctx.print({ db: storage.dialect, location: storage.location, applied: result.applied }, () =>
          result.applied.length === 0
            ? `${storage.dialect} ${storage.location}: up to date`
            : `${storage.dialect} ${storage.location}: applied ${result.applied.join(", ")}`,
        );
      });
    });
  db.command("status")
    .description("list migrations and when each was applied")
    .action(async (_opts: unknown, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const storage = await ctx.storage();
        const status = await migrationStatus(storage);
        ctx.print({ db: storage.dialect, location: storage.location, migrations: status }, () =>
          [
            `${storage.dialect} ${storage.location}`,
            ...status.map((m) => `  ${m.appliedAt ? "applied" : "pending"}  ${m.name}${m.appliedAt ? `  ${m.appliedAt}` : ""}`),
          ].join("\n"),
        );
      });
    });
}
