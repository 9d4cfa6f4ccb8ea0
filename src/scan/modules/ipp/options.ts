/**
 * The IPP module's flags and their parsing (values may arrive as strings from the CLI).
 */
import { version as iotscopeVersion } from "../../../core/version.js";
import type { ModuleFlag, ModuleOptions } from "../types.js";
import { parseIppVersion, type IppVersion } from "./encode.js";

/**
 * Resource paths tried in order while the printer answers "not found" (HTTP 404 or IPP
 * client-error-not-found): `/ipp/print` is IPP Everywhere's and what most printers of the last decade
 * use (HP, Brother, Canon, Epson, Xerox, ippeveprinter); `/ipp` is older embedded servers' (and ZGrab2's
 * only path); `/` is where CUPS answers for its default printer.
 */
export const DEFAULT_PATHS = ["/ipp/print", "/ipp", "/"] as const;
/** Tried in order while the printer answers server-error-version-not-supported. */
export const DEFAULT_VERSIONS = ["2.0", "1.1", "1.0"] as const;

export const ippFlags: readonly ModuleFlag[] = [
  {
    name: "ipp-paths",
    value: "<list>",
    description: "comma-separated resource paths to try, next one on HTTP 404 / client-error-not-found",
    default: DEFAULT_PATHS.join(","),
  },
  {
    name: "ipp-versions",
    value: "<list>",
    description: "comma-separated IPP versions to try, next one on server-error-version-not-supported",
    default: DEFAULT_VERSIONS.join(","),
  },
  { name: "ipps", description: "speak TLS from the first byte (IPPS, RFC 7472)", default: false },
  { name: "ipp-user-agent", value: "<text>", description: "HTTP User-Agent of the requests", default: `iotscope/${iotscopeVersion}` },
];

export interface IppOptions {
  paths: string[];
  versions: IppVersion[];
  tls: boolean;
  userAgent: string;
}

/** Throws Error (an operator mistake, not peer behaviour) for values that cannot be used. */
export function parseIppOptions(options: ModuleOptions): IppOptions {
  const paths = listOption(options.ippPaths, DEFAULT_PATHS);
  for (const p of paths) {
    // The path goes into the request line and the printer-uri: no spaces, controls or non-ASCII.
    if (!/^\/[\x21-\x7e]*$/.test(p)) throw new Error(`--ipp-paths: ${JSON.stringify(p)} is not an absolute path of printable ASCII`);
  }
  const versions = listOption(options.ippVersions, DEFAULT_VERSIONS).map((text) => {
    const v = parseIppVersion(text);
    if (!v) throw new Error(`--ipp-versions: ${JSON.stringify(text)} is not a version like 2.0`);
    return v;
  });
  const userAgent = options.ippUserAgent === undefined ? `iotscope/${iotscopeVersion}` : String(options.ippUserAgent);
  if (!/^[\x20-\x7e]*$/.test(userAgent)) throw new Error("--ipp-user-agent must be printable ASCII");
  return { paths, versions, tls: booleanOption(options.ipps), userAgent };
}

function listOption(value: string | boolean | number | undefined, fallback: readonly string[]): string[] {
  if (value === undefined || value === "" || typeof value === "boolean") return [...fallback];
  const items = String(value)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return items.length > 0 ? items : [...fallback];
}

function booleanOption(value: string | boolean | number | undefined): boolean {
  if (typeof value === "string") return !["", "0", "false", "no", "off"].includes(value.trim().toLowerCase());
  return Boolean(value);
}
