/**
 * CoAP (RFC 7252) over UDP 5683: GET /.well-known/core and record the endpoint's resource directory,
 * its answer's size and the amplification factor (what Shadowserver's Accessible-CoAP report needs).
 */
import type { ScanModule } from "../types.js";
import { coapFlags } from "./options.js";
import type { CoapResult } from "./result.js";
import { scanCoap } from "./scan.js";

export const coapModule: ScanModule<CoapResult> = {
  name: "coap",
  description: "CoAP: GET /.well-known/core, resources (CoRE Link Format), block-wise, amplification",
  transport: "udp",
  defaultPort: 5683,
  flags: coapFlags,
  scan: scanCoap,
};

export type { CoapBlockwise, CoapOptionResult, CoapResult } from "./result.js";
export { describeMessage, describePayload, optionResult, shadowserverColumns } from "./result.js";
export type { CoapMessage, CoapOption } from "./message.js";
export { decodeUint, encodeUint, findOption, parseCoapMessage } from "./message.js";
export type { BlockOption } from "./block.js";
export { decodeBlock, encodeBlock } from "./block.js";
export type { LinkAttributeValue, LinkFormatError, LinkFormatLimits, LinkFormatParse, LinkFormatResource } from "./linkformat.js";
export { linkPaths, parseLinkFormat } from "./linkformat.js";
export type { CoapCodeClass, CoapMessageType } from "./registry.js";
export { codeClass, codeDetail, codeText, contentFormatName, optionName } from "./registry.js";
export { encodeEmptyAck, encodeGet, splitUri } from "./request.js";
export { readCoapOptions, type CoapOptions } from "./options.js";
