/**
 * Scan modules for engine tests (the real protocol modules live in src/scan/modules/<name>/ and are
 * tested there). They use only what a real module may: ctx.dial, ctx.udp and the io.ts helpers.
 */
import { outcomeFromError, SocketReader } from "../../../../src/scan/modules/io.js";
import type { ScanModule, ScanOutcome } from "../../../../src/scan/modules/types.js";

/** Connects and reads one line: the smallest realistic TCP module. */
export const tcpBannerModule: ScanModule<{ banner: string }> = {
  name: "tcp-banner",
  description: "test module: connect and read one line",
  transport: "tcp",
  defaultPort: 7,
  flags: [{ name: "banner-prefix", description: "expected start of the banner", value: "<text>", default: "banner" }],
  async scan(target, ctx) {
    let socket;
    try {
      socket = await ctx.dial(target);
      const reader = new SocketReader(socket, ctx.maxReadBytes);
      const line = await reader.readMessage((b) => {
        const nl = b.indexOf(10);
        return nl === -1 ? undefined : nl + 1;
      }, ctx.readTimeoutMs);
      const banner = line.toString("utf8").trim();
      const prefix = String(ctx.options.bannerPrefix ?? "banner");
      if (!banner.startsWith(prefix)) return { status: "protocol-error", result: { banner }, error: `banner does not start with ${prefix}` };
      return { status: "success", result: { banner } };
    } catch (err) {
      return outcomeFromError(err);
    } finally {
      socket?.destroy();
    }
  },
};

/**
 * Sends `dials` TCP connection attempts (option, default 1) and, with option `udp`, one datagram to the
 * target; succeeds once they are sent. For blocklist and rate tests, where only the probes matter.
 */
export const probeModule: ScanModule<{ dials: number }> = {
  name: "probe-test",
  description: "test module: dial (and send a datagram)",
  transport: "tcp",
  defaultPort: 7,
  flags: [],
  async scan(target, ctx): Promise<ScanOutcome<{ dials: number }>> {
    const dials = Number(ctx.options.dials ?? 1);
    try {
      for (let i = 0; i < dials; i++) {
        const socket = await ctx.dial(target);
        socket.on("error", () => {});
        socket.destroy();
      }
      if (ctx.options.udp) {
        const ex = ctx.udp(target);
        try {
          await ex.send(Buffer.from("probe"));
        } finally {
          ex.close();
        }
      }
      return { status: "success", result: { dials } };
    } catch (err) {
      return outcomeFromError(err);
    }
  },
};

/** Throws on targets whose last octet is odd: a buggy module. */
export const throwingModule: ScanModule = {
  name: "throw-test",
  description: "test module: throws",
  transport: "tcp",
  defaultPort: 7,
  flags: [],
  scan(target) {
    if (Number(target.ip.split(".").pop()) % 2 === 1) throw new TypeError(`boom at ${target.ip}`);
    return Promise.resolve({ status: "success", result: { ok: true } });
  },
};

/** Never settles on 127.0.0.2: a hung module. */
export const hangingModule: ScanModule = {
  name: "hang-test",
  description: "test module: hangs",
  transport: "tcp",
  defaultPort: 7,
  flags: [],
  scan(target) {
    if (target.ip === "127.0.0.2") return new Promise(() => {});
    return Promise.resolve({ status: "success" });
  },
};

/** Sends nothing and succeeds: for tests of the runner's bookkeeping alone. */
export const noopModule: ScanModule = {
  name: "noop-test",
  description: "test module: does nothing",
  transport: "tcp",
  defaultPort: 7,
  flags: [],
  scan: () => Promise.resolve({ status: "success" }),
};
