/**
 * Shapes shared by the capture reader and writer. A RawPacket is what a capture file holds for one
 * packet: bytes (a view into the read buffer, not a copy), timestamps and the interface it came from.
 */

export type CaptureFormat = "pcap" | "pcapng";

/** Link types (DLT/LINKTYPE numbers) the decoder understands. Others are read but not decoded. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export interface RawPacket {
  /** 0-based index of the packet in the capture (counting packets only, not other blocks). */
  index: number;
  /** Whole seconds since the epoch and nanoseconds within the second: exact for µs and ns captures. */
  tsSec: number;
  tsNsec: number;
  /** Original length on the wire. */
  wireLength: number;
  /** The captured bytes (a view; copy it if you keep it past the next chunk of a stream). */
  data: Uint8Array;
  linkType: number;
  /** pcapng interface id within its section (0 for pcap). */
  iface: number;
}

export interface CaptureInterface {
  linkType: number;
  snapLen: number;
  /** Units per second of this interface's timestamps (1e6 default, 1e9 for nano). */
  tsUnitsPerSec: number;
  /** if_tsoffset: seconds added to every timestamp. */
  tsOffset: number;
}

/** The most bytes one packet may claim: a length field above this is corruption, not a packet. */
export const MAX_PACKET = 256 * 1024;
/** The most bytes one pcapng block may claim (a packet plus generous options). */
export const MAX_BLOCK = MAX_PACKET + 64 * 1024;

/** A capture that cannot be read further: where (byte offset from the start) and why. */
export class CaptureError extends Error {
  override readonly name = "CaptureError";
  constructor(
    readonly offset: number,
    readonly reason: string,
    /** Packets read before the error. */
    readonly packetsRead: number,
    readonly source?: string,
  ) {
    super(`${source ? `${source}: ` : ""}capture error at byte ${offset}: ${reason} (after ${packetsRead} packets)`);
  }
}

export function packetTs(p: RawPacket): number {
  return p.tsSec + p.tsNsec / 1e9;
}
