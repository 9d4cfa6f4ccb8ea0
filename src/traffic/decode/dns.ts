/**
 * The first question name of a DNS/mDNS message. Compression pointers are followed with a hop limit
 * and only backwards, so crafted loops end; labels are bounded by the message and by 255 name bytes.
 */
export function dnsQueryName(b: Uint8Array, start: number, end: number): string | undefined {
  if (end - start < 12) return undefined;
  const qd = (b[start + 4]! << 8) | b[start + 5]!;
  if (qd === 0) return undefined;
  return dnsName(b, start, start + 12, end);
}

/** The (possibly compressed) name at `at` of the message starting at `start`. */
export function dnsName(b: Uint8Array, start: number, at: number, end: number): string | undefined {
  let o = at;
  let name = "";
  let hops = 0;
  for (;;) {
    if (o >= end) return undefined;
    const len = b[o]!;
    if (len === 0) break;
    if ((len & 0xc0) === 0xc0) {
      if (o + 1 >= end) return undefined;
      const target = start + (((len & 0x3f) << 8) | b[o + 1]!);
      if (++hops > 16 || target >= o) return undefined;
      o = target;
      continue;
    }
    if (len & 0xc0) return undefined;
    if (o + 1 + len > end || name.length + len + 1 > 255) return undefined;
    if (name.length > 0) name += ".";
    for (let i = o + 1; i <= o + len; i++) {
      const c = b[i]!;
      // Printable ASCII only; other bytes in the \DDD form zone files use.
      name += c > 0x20 && c < 0x7f && c !== 0x2e && c !== 0x5c ? String.fromCharCode(c) : `\\${c.toString().padStart(3, "0")}`;
    }
    o += 1 + len;
  }
  return name === "" ? "." : name;
}
