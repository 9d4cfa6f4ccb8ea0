/**
 * SSDP (UPnP Device Architecture 1.0 §1.3, HTTP over UDP): parsing a request datagram and building the
 * M-SEARCH answers. Hand-written: an HTTPU datagram is a request line and header lines, and an HTTP
 * parser library wants a stream and a connection.
 */
import type { UpnpDevice } from "./persona.js";

/** Larger datagrams are not SSDP (real M-SEARCHes are 100–300 bytes). */
export const MAX_DATAGRAM = 8192;

export interface SsdpRequest {
  method: string;
  target: string;
  /** Lower-case names, values trimmed; the first of a repeated header. */
  headers: Map<string, string>;
}

export function parseSsdp(buf: Buffer): SsdpRequest | { malformed: string } {
  if (buf.length > MAX_DATAGRAM) return { malformed: `datagram of ${buf.length} bytes is larger than ${MAX_DATAGRAM}` };
  const text = buf.toString("latin1");
  // Printable ASCII plus CR/LF/TAB only: anything else is not an HTTPU message.
  if (/[^\t\r\n\x20-\x7e]/.test(text)) return { malformed: "binary data, not an HTTPU message" };
  const lines = text.split(/\r?\n/);
  const m = /^([A-Z-]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? "");
  if (!m) return { malformed: "no HTTPU request line" };
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (line === "") break;
    const colon = line.indexOf(":");
    if (colon <= 0) return { malformed: "header line without a name" };
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { method: m[1]!, target: m[2]!, headers };
}

/** The search targets of the device that `st` asks for, in the order a device answers ssdp:all. */
export function matchingTargets(st: string, d: UpnpDevice): { st: string; usn: string }[] {
  const all = [
    { st: "upnp:rootdevice", usn: `${d.udn}::upnp:rootdevice` },
    { st: d.udn, usn: d.udn },
    { st: d.deviceType, usn: `${d.udn}::${d.deviceType}` },
    ...d.services.map((s) => ({ st: s.service_type, usn: `${d.udn}::${s.service_type}` })),
  ];
  if (st === "ssdp:all") return all;
  // A request for an older version of our type is answered with that version (UDA 1.0 §1.3.2).
  const versioned = /^(urn:[^:]+:(?:device|service):[^:]+):(\d+)$/.exec(st);
  return all
    .filter((t) => {
      if (t.st === st) return true;
      const ours = /^(urn:[^:]+:(?:device|service):[^:]+):(\d+)$/.exec(t.st);
      return versioned !== null && ours !== null && ours[1] === versioned[1] && Number(versioned[2]) <= Number(ours[2]);
    })
    .map((t) => (t.st === st ? t : { st, usn: `${d.udn}::${st}` }));
}

export function answer(target: { st: string; usn: string }, d: UpnpDevice, location: string, maxAge: number, now: Date): Buffer {
  return Buffer.from(
    [
      "HTTP/1.1 200 OK",
      `CACHE-CONTROL: max-age=${maxAge}`,
      `DATE: ${now.toUTCString()}`,
      "EXT:",
      `LOCATION: ${location}`,
      `SERVER: ${d.server}`,
      `ST: ${target.st}`,
      `USN: ${target.usn}`,
      "",
      "",
    ].join("\r\n"),
    "latin1",
  );
}
