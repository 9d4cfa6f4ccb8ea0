/**
 * Raw IP address bytes (SAN iPAddress, name-constraint ranges) as Go's net.IP.String() prints them, which
 * is what zcrypto's JSON contains: dotted IPv4, IPv4-mapped IPv6 shown as IPv4, IPv6 with the longest run
 * of two or more zero groups compressed. Hand-written because node:net has no bytes → text function.
 */
export function formatIp(bytes: Uint8Array, mapV4 = true): string | undefined {
  if (bytes.length === 4) return Array.from(bytes).join(".");
  if (bytes.length !== 16) return undefined;
  if (mapV4 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return Array.from(bytes.subarray(12)).join(".");
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}
