/**
 * The module's flags and how their values (strings from the CLI, numbers from config) are read.
 */
import type { ModuleFlag, ModuleOptions } from "../types.js";
import { szxOfSize } from "./block.js";

export const coapFlags: readonly ModuleFlag[] = [
  { name: "coap-path", description: "resource to GET (path and optional ?query)", value: "<path>", default: "/.well-known/core" },
  {
    name: "coap-token-length",
    description: "token bytes in requests (0-8); 0 sends ZMap's 21-byte probe, as Shadowserver's figures assume",
    value: "<n>",
    default: 4,
  },
  { name: "coap-retries", description: "retransmissions of a request within the read timeout (0-4)", value: "<n>", default: 1 },
  {
    name: "coap-block-size",
    description: "ask for block-wise replies of this size (16-1024, a power of two); default: the server chooses",
    value: "<bytes>",
  },
  { name: "coap-max-blocks", description: "most Block2 blocks to fetch (1 = first response only)", value: "<n>", default: 64 },
];

export interface CoapOptions {
  path: string;
  retries: number;
  tokenLength: number;
  /** SZX of the requested block size, when one was asked for. */
  szx?: number;
  maxBlocks: number;
}

/** Reads the flags; returns a one-line reason when a value is unusable. */
export function readCoapOptions(o: ModuleOptions): CoapOptions | string {
  const path = o.coapPath === undefined ? "/.well-known/core" : String(o.coapPath);
  if (!path.startsWith("/")) return `--coap-path must start with "/": ${path}`;
  const retries = int(o.coapRetries, 1);
  if (retries === undefined || retries < 0 || retries > 4) return `--coap-retries must be 0-4: ${String(o.coapRetries)}`;
  const maxBlocks = int(o.coapMaxBlocks, 64);
  if (maxBlocks === undefined || maxBlocks < 1 || maxBlocks > 4096) return `--coap-max-blocks must be 1-4096: ${String(o.coapMaxBlocks)}`;
  const tokenLength = int(o.coapTokenLength, 4);
  if (tokenLength === undefined || tokenLength > 8) return `--coap-token-length must be 0-8: ${String(o.coapTokenLength)}`;
  const out: CoapOptions = { path, retries, tokenLength, maxBlocks };
  if (o.coapBlockSize !== undefined && o.coapBlockSize !== false) {
    const size = int(o.coapBlockSize, -1);
    const szx = size === undefined ? undefined : szxOfSize(size);
    if (szx === undefined) return `--coap-block-size must be 16, 32, 64, 128, 256, 512 or 1024: ${String(o.coapBlockSize)}`;
    out.szx = szx;
  }
  return out;
}

function int(v: ModuleOptions[string], dflt: number): number | undefined {
  if (v === undefined) return dflt;
  const n = typeof v === "number" ? v : typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) ? n : undefined;
}
