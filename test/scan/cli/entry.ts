/**
 * The real CLI with the engine tests' `tcp-banner` module registered, for tests that run `iotscope scan`
 * as a child process before (or independently of) the real protocol modules.
 *   tsx test/scan/cli/entry.ts scan tcp-banner 127.0.0.1/30 --allow-local-targets --json
 */
import { run } from "../../../src/cli/run.js";
import { registerScanModule } from "../../../src/scan/index.js";
import { tcpBannerModule } from "../engine/support/modules.js";

registerScanModule(tcpBannerModule);
process.exitCode = await run(process.argv.slice(2));
