import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { listAudit, openStorage } from "../../../src/core/storage/index.js";
import type { MigrationState } from "../../../src/core/storage/index.js";
import { describeEachBackend } from "../../helpers/db.js";

const run = promisify(execFile);
const child = path.join(path.dirname(fileURLToPath(import.meta.url)), "open-child.ts");

describeEachBackend("concurrent processes", (_open, backend) => {
  it("several processes opening the same new database all migrate it safely", async () => {
    const target = await backend.fresh();
    try {
      // allSettled: on failure, wait for every child before removing the database they are using.
      const settled = await Promise.allSettled(
        Array.from({ length: 4 }, () =>
          run(process.execPath, ["--import", "tsx", child, target.dataDir, target.url ?? ""], { timeout: 30_000 }),
        ),
      );
      for (const r of settled) if (r.status === "rejected") throw r.reason;
      for (const { stdout } of settled.map((r) => (r as PromiseFulfilledResult<{ stdout: string }>).value)) {
        const status = JSON.parse(stdout) as MigrationState[];
        expect(status.every((s) => s.appliedAt !== null)).toBe(true);
      }
      const storage = await openStorage({ url: target.url, dataDir: target.dataDir });
      try {
        expect(await listAudit(storage.db, { action: "test.child" })).toHaveLength(4);
        const installIds = await storage.db.selectFrom("meta").select("value").where("key", "=", "install_id").execute();
        expect(installIds).toHaveLength(1);
      } finally {
        await storage.close();
      }
    } finally {
      await target.dispose();
    }
  });
});
