/**
 * The per-device window features for device-type identification (IoT Sentinel, Sivanathan et al.):
 * over each window of W seconds, for each device (source MAC, else IP) that sent a packet in it.
 * Counts and sizes are log1p-scaled so that one model fits both chatty and quiet devices; fractions
 * are in 0..1. DNS names and TLS SNIs are hashed (FNV-1a) into a fixed number of buckets.
 * The spec (names, version) goes into model files, so a model refuses features it was not trained on.
 */
export const WINDOW_FEATURE_VERSION = 1;

export const SIZE_BIN_EDGES = [64, 128, 256, 512, 1024, 1500] as const;
export const APPS = ["dns", "mdns", "tls", "http", "mqtt", "coap", "ssdp", "ntp", "dhcp", "telnet", "arp", "icmp"] as const;

export interface WindowFeatureOptions {
  /** Window length in seconds (default 60). */
  windowSeconds?: number;
  /** Hash buckets for DNS names and for TLS SNIs (default 16 each). */
  nameBuckets?: number;
}

export function windowFeatureNames(nameBuckets = 16): string[] {
  return [
    "packets_up_log",
    "packets_down_log",
    "bytes_up_log",
    "bytes_down_log",
    ...[...SIZE_BIN_EDGES.map((e) => `size_lt_${e}`), "size_ge_1500"].map((n) => `size_hist_${n}`),
    "size_q10_log",
    "size_q50_log",
    "size_q90_log",
    "iat_q10_log",
    "iat_q50_log",
    "iat_q90_log",
    "proto_tcp",
    "proto_udp",
    "proto_icmp",
    "proto_other",
    ...APPS.map((a) => `app_${a}`),
    "app_none",
    "tcp_syn_fraction",
    "dst_ports_log",
    "remote_endpoints_log",
    "dns_queries_log",
    ...Array.from({ length: nameBuckets }, (_, i) => `dns_bucket_${i}`),
    ...Array.from({ length: nameBuckets }, (_, i) => `sni_bucket_${i}`),
    "period_log",
    "period_strength",
  ];
}

export function windowFeatureSpec(options: WindowFeatureOptions = {}): { name: string; version: number; names: string[]; windowSeconds: number; nameBuckets: number } {
  const nameBuckets = options.nameBuckets ?? 16;
  return { name: "device-window", version: WINDOW_FEATURE_VERSION, names: windowFeatureNames(nameBuckets), windowSeconds: options.windowSeconds ?? 60, nameBuckets };
}
