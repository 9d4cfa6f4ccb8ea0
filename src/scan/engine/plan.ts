/**
 * From target specs and blocklist options to the target space a campaign walks, with the refusals a
 * responsible scanner owes its operator: all-local targets without --allow-local-targets, and target
 * sets the blocklist empties, are UsageErrors that say what to do.
 */
import { UsageError } from "../../core/errors.js";
import type { Logger } from "../../core/log/index.js";
import { silentLogger } from "../../core/log/index.js";
import { localTargetSet } from "../../core/net/index.js";
import { ScanBlocklist } from "./blocklist.js";
import { loadTargets, TargetSpace, type TargetInput } from "./targets.js";

export interface TargetPlanRequest {
  targets: readonly string[];
  ports: readonly number[];
  allowLocalTargets?: boolean;
  blocklistFiles?: readonly string[];
  optoutFile?: string;
  cwd?: string;
  logger?: Logger;
}

export interface TargetPlan {
  blocklist: ScanBlocklist;
  input: TargetInput;
  space: TargetSpace;
  /** Addresses the specs name, and how many of them the blocklist removed at load time. */
  requestedAddresses: number;
  blocklistedAddresses: number;
  /** Of the requested addresses, how many are local (loopback, private, link-local, CGNAT). */
  localAddresses: number;
}

export async function planTargets(req: TargetPlanRequest): Promise<TargetPlan> {
  const logger = req.logger ?? silentLogger;
  if (req.targets.length === 0) throw new UsageError("no targets: give addresses, CIDRs, ranges or @file");
  const blocklist = await ScanBlocklist.load({
    allowLocalTargets: req.allowLocalTargets ?? false,
    files: req.blocklistFiles ?? [],
    ...(req.optoutFile !== undefined ? { optoutFile: req.optoutFile } : {}),
    ...(req.cwd !== undefined ? { cwd: req.cwd } : {}),
    logger,
  });
  const input = await loadTargets(req.targets, req.cwd);
  const space = TargetSpace.build(input, blocklist.combined(), req.ports);
  const local = localTargetSet();
  const requestedAddresses = input.v4.size.v4 + input.v6.length;
  const localAddresses = input.v4.intersect(local).size.v4 + input.v6.filter((n) => local.hasV6(n)).length;
  if (space.size === 0) {
    // Local targets alone are refused outright, naming the flag; mixed with public ones they are only
    // counted as blocklisted (below), so that one private line in a big list does not stop a campaign.
    if (localAddresses > 0 && !blocklist.allowLocalTargets) {
      throw new UsageError(`local (loopback/private) targets are refused: pass --allow-local-targets to scan your own networks (${req.targets.join(" ")})`);
    }
    throw new UsageError(`all ${requestedAddresses} target addresses are blocklisted (built-in IANA blocklist, --blocklist, --optout): nothing to scan`);
  }
  if (localAddresses > 0 && !blocklist.allowLocalTargets) {
    logger.warn({ localAddresses }, "local (loopback/private) targets are skipped as blocklisted; --allow-local-targets would include them");
  }
  return { blocklist, input, space, requestedAddresses, blocklistedAddresses: requestedAddresses - space.addresses, localAddresses };
}
