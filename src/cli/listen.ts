import { UsageError } from "../core/errors.js";

export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Parses `HOST:PORT`, `[IPv6]:PORT`, `:PORT` or `PORT`. The host defaults to 127.0.0.1 so that nothing
 * is exposed beyond the machine unless the user says so. A bare IPv6 address must be bracketed.
 */
export function parseListen(text: string, defaultHost = "127.0.0.1"): ListenAddress {
  const t = text.trim();
  let host: string | undefined;
  let portText: string | undefined;
  if (/^\d+$/.test(t)) {
    host = defaultHost;
    portText = t;
  } else if (t.startsWith("[")) {
    const m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(t);
    if (m) [host, portText] = [m[1], m[2]];
  } else {
    const colon = t.lastIndexOf(":");
    const h = t.slice(0, colon);
    if (colon >= 0 && !h.includes(":") && /^\d+$/.test(t.slice(colon + 1))) {
      host = h === "" ? defaultHost : h;
      portText = t.slice(colon + 1);
    }
  }
  const port = Number(portText);
  if (host === undefined || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(`invalid listen address "${text}": use HOST:PORT, [IPv6]:PORT or PORT (e.g. 127.0.0.1:8080)`);
  }
  return { host, port };
}
