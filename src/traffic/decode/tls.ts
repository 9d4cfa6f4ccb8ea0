/**
 * Server name (SNI) of a TLS ClientHello at the start of a TCP payload: record header → handshake
 * header → fixed fields → session id → cipher suites → compression → extensions → server_name.
 * Every length is checked against the bytes captured; a ClientHello split over segments yields nothing.
 */
export function isTlsRecord(b: Uint8Array, o: number, end: number): boolean {
  return end - o >= 5 && b[o]! >= 0x14 && b[o]! <= 0x17 && b[o + 1] === 3 && b[o + 2]! <= 4;
}

export function tlsClientHelloSni(b: Uint8Array, o: number, end: number): string | undefined {
  if (end - o < 9 || b[o] !== 0x16 || b[o + 5] !== 1) return undefined;
  const recEnd = Math.min(end, o + 5 + ((b[o + 3]! << 8) | b[o + 4]!));
  let p = o + 9 + 2 + 32; // handshake header (4), client_version (2), random (32)
  if (p >= recEnd) return undefined;
  p += 1 + b[p]!; // session id
  if (p + 2 > recEnd) return undefined;
  p += 2 + ((b[p]! << 8) | b[p + 1]!); // cipher suites
  if (p + 1 > recEnd) return undefined;
  p += 1 + b[p]!; // compression methods
  if (p + 2 > recEnd) return undefined;
  const extEnd = Math.min(recEnd, p + 2 + ((b[p]! << 8) | b[p + 1]!));
  p += 2;
  while (p + 4 <= extEnd) {
    const type = (b[p]! << 8) | b[p + 1]!;
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    p += 4;
    if (p + len > extEnd) return undefined;
    if (type === 0) {
      // server_name_list: length (2), then entries of type (1), length (2), name.
      let q = p + 2;
      const listEnd = Math.min(p + len, p + 2 + ((b[p]! << 8) | b[p + 1]!));
      while (q + 3 <= listEnd) {
        const nlen = (b[q + 1]! << 8) | b[q + 2]!;
        if (q + 3 + nlen > listEnd) return undefined;
        if (b[q] === 0) return latin1(b, q + 3, q + 3 + nlen);
        q += 3 + nlen;
      }
      return undefined;
    }
    p += len;
  }
  return undefined;
}

export function latin1(b: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i]!);
  return s;
}
