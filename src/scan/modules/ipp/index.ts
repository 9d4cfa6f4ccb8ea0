/**
 * IPP (TCP 631; IPPS = IPP over TLS): asks a printer for its attributes with Get-Printer-Attributes and
 * records who it is (make and model, firmware, UUID, URIs, versions, CUPS version, state). See
 * docs/scan-modules/ipp.md.
 */
import type { ScanModule } from "../types.js";
import { ippFlags } from "./options.js";
import type { IppResult } from "./result.js";
import { scanIpp } from "./scan.js";

export const ippModule: ScanModule<IppResult> = {
  name: "ipp",
  description: "IPP Get-Printer-Attributes (printer make/model, firmware, UUID, URIs, IPP and CUPS versions)",
  transport: "tcp",
  defaultPort: 631,
  flags: ippFlags,
  scan: scanIpp,
};

export type { IppAttributeMap, IppPrinterSummary, IppResult, IppTry } from "./result.js";
export type {
  IppAttribute,
  IppCollection,
  IppGroup,
  IppMessage,
  IppOpaque,
  IppOutOfBand,
  IppRange,
  IppResolution,
  IppTextWithLanguage,
  IppValue,
} from "./decode.js";
export { decodeIppMessage, decodeIppMessagePartial, decodeIppValue, ippLimits } from "./decode.js";
export {
  encodeGetPrinterAttributes,
  formatIppVersion,
  ippBoolean,
  ippEndOfAttributes,
  ippHeader,
  ippInteger,
  ippItem,
  ippSetOf,
  parseIppVersion,
  type GetPrinterAttributesOptions,
  type IppVersion,
} from "./encode.js";
export {
  bodyFraming,
  buildHttpPost,
  ChunkedFramer,
  createHeadFramer,
  decodeContentEncoding,
  headerValue,
  parseHttpHead,
  readHttpResponse,
  type HttpResponse,
  type HttpResponseHead,
} from "./http.js";
export { DEFAULT_PATHS, DEFAULT_VERSIONS, parseIppOptions, type IppOptions } from "./options.js";
export { attributeMap, describeResponse, parseDeviceId, serverVersions, summarizePrinter, valueText, versionFields } from "./summary.js";
export { groupName, isSuccessStatus, operationName, printerStateName, statusName, tag as ippTag, valueTagName } from "./tags.js";
