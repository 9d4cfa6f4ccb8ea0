export { CaptureParser } from "./parser.js";
export { CaptureReader, CaptureReadError, readCapture, readCaptureSync, type CaptureContents, type ReadOptions } from "./reader.js";
export { CaptureWriter, type WriterOptions } from "./writer.js";
export { CaptureError, LinkType, MAX_PACKET, packetTs, type CaptureFormat, type CaptureInterface, type RawPacket } from "./types.js";
