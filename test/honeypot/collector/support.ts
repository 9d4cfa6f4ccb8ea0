/** Shared by the collector tests: synthetic events in the wire schema, and the test GeoIP databases. */
import { randomUUID } from "node:crypto";
import type { HoneypotEvent } from "../../../src/honeypot/index.js";
import { sharedFixture } from "../../helpers/fixtures.js";

export const geoPaths = {
  country: sharedFixture("geo/GeoLite2-Country-Test.mmdb"),
  asn: sharedFixture("geo/GeoLite2-ASN-Test.mmdb"),
};

/** In MaxMind's test databases: SE / AS29518 "Bredband2 AB". */
export const SE_IP = "89.160.20.113";
/** GB (country database), not in the ASN database. */
export const GB_IP = "2.125.160.217";
/** AS1221 Telstra (ASN database), not in the country database. */
export const AU_IP = "1.128.0.5";

export function event(over: Partial<HoneypotEvent> = {}): HoneypotEvent {
  return {
    id: randomUUID(),
    eventid: "session.connect",
    timestamp: "2026-11-24T10:00:00.000Z",
    sensor: "s1",
    session: "sess0001",
    protocol: "telnet",
    transport: "tcp",
    src_ip: "192.0.2.10",
    src_port: 40000,
    dst_port: 23,
    ...over,
  };
}

/** A whole telnet session: connect, a failed and a good login, the given commands, a download, close. */
export function telnetSession(o: { sensor?: string; session: string; src_ip?: string; commands: string[]; day?: string; url?: string }): HoneypotEvent[] {
  const day = o.day ?? "2026-11-24";
  let t = 0;
  const at = () => `${day}T10:00:${String(t++).padStart(2, "0")}.000Z`;
  const base = { sensor: o.sensor ?? "s1", session: o.session, src_ip: o.src_ip ?? "192.0.2.10" };
  return [
    event({ ...base, eventid: "session.connect", timestamp: at() }),
    event({ ...base, eventid: "telnet.login.failed", username: "root", password: "admin", timestamp: at() }),
    event({ ...base, eventid: "telnet.login.success", username: "root", password: "xc3511", timestamp: at() }),
    ...o.commands.map((input) => event({ ...base, eventid: "telnet.command.input", input, timestamp: at() })),
    ...(o.url ? [event({ ...base, eventid: "telnet.session.file_download", url: o.url, tool: "wget", timestamp: at() })] : []),
    event({ ...base, eventid: "session.closed", duration: 3, timestamp: at() }),
  ];
}
