/**
 * Run by concurrency.test.ts in a separate process: opens (and so migrates) the database given on the
 * command line, records itself in the audit log, and prints the migration status as JSON.
 */
import { appendAudit, migrationStatus, openStorage } from "../../../src/core/storage/index.js";

const [dataDir, url] = process.argv.slice(2);
if (dataDir === undefined) throw new Error("usage: open-child.ts DATA_DIR [URL]");
const storage = await openStorage({ dataDir, url: url || undefined });
await appendAudit(storage.db, { actor: `pid-${process.pid}`, action: "test.child" });
process.stdout.write(JSON.stringify(await migrationStatus(storage)));
await storage.close();
