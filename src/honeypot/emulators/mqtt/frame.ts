/**
 * MQTT framing (MQTT 3.1.1 §2.2, 5.0 §2.1): the fixed header's first byte and the Remaining Length
 * varint. We frame ourselves and hand mqtt-packet's parser one complete packet at a time, because its
 * stream parser buffers whatever length a header announces (up to 256 MB) before it can fail, and reads
 * across packet boundaries; here a packet larger than the session's buffer cap is refused from its
 * header, before any of it is buffered.
 */

export type FrameResult =
  | { kind: "need-more" }
  | { kind: "frame"; frame: Buffer; type: number }
  | { kind: "malformed"; reason: string };

/** Reads one frame from the front of `buf`; `maxBytes` caps the whole packet. */
export function readFrame(buf: Buffer, maxBytes: number): FrameResult {
  if (buf.length < 2) return { kind: "need-more" };
  let length = 0;
  let multiplier = 1;
  let pos = 1;
  for (;;) {
    if (pos >= buf.length) return { kind: "need-more" };
    if (pos > 4) return { kind: "malformed", reason: "remaining length varint longer than 4 bytes" };
    const byte = buf[pos++]!;
    length += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) break;
    multiplier *= 128;
  }
  const total = pos + length;
  if (total > maxBytes) return { kind: "malformed", reason: `packet of ${total} bytes exceeds the ${maxBytes}-byte cap` };
  if (buf.length < total) return { kind: "need-more" };
  return { kind: "frame", frame: buf.subarray(0, total), type: buf[0]! >> 4 };
}
