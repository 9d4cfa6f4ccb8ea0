/**
 * The one way tests find the real-world samples in `../shared/fixtures` (never copied into the repo).
 * Set IOTSCOPE_SHARED_FIXTURES to point elsewhere. Where the folder is absent (a user's fresh clone),
 * `describeWithShared` skips its tests with a visible reason, and every other test still runs.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const sharedFixturesDir = path.resolve(repoRoot, process.env.IOTSCOPE_SHARED_FIXTURES ?? "../shared/fixtures");

export const haveSharedFixtures = existsSync(sharedFixturesDir);

/** Absolute path of a shared fixture, e.g. `sharedFixture("geo/GeoLite2-ASN-Test.mmdb")`. */
export function sharedFixture(relative: string): string {
  return path.join(sharedFixturesDir, relative);
}

/** `describe` that is skipped, with the reason in its title, when the shared fixtures are absent. */
export function describeWithShared(name: string, fn: () => void): void {
  if (haveSharedFixtures) describe(name, fn);
  // The body is not even collected: it may read fixture files at collection time.
  else describe(name, () => it.skip(`skipped: shared fixtures not found at ${sharedFixturesDir}; set IOTSCOPE_SHARED_FIXTURES`, () => {}));
}

/** Fixtures that live in the repo (written by us), under test/fixtures. */
export function repoFixture(relative: string): string {
  return path.join(repoRoot, "test/fixtures", relative);
}

export { repoRoot };
