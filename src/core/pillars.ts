/**
 * The six pillars of the observatory (seven folders: malware sits beside traffic), as data shared by
 * the CLI's help and the server's home page. `command` is the CLI group; `issue` is where the work is
 * tracked while a pillar is still being built.
 */
export interface PillarInfo {
  folder: "scan" | "tag" | "share" | "honeypot" | "vulndb" | "traffic" | "malware";
  command: string;
  title: string;
  summary: string;
}

export const pillars: readonly PillarInfo[] = [
  { folder: "scan", command: "scan", title: "Scan", summary: "responsible IPv4/IPv6 campaigns for IoT protocols (CoAP, MQTT, IPP, TLS, ...)" },
  { folder: "tag", command: "tag", title: "Tag", summary: "rule language that names the device behind a scan result or x509 certificate" },
  { folder: "share", command: "share", title: "Share", summary: "daily reports to network owners and national CSIRTs; MISP, DCAT-AP and CSV feeds" },
  { folder: "honeypot", command: "honeypot", title: "Honeypots", summary: "IoT sensor emulators, a fleet and a collector that loses nothing" },
  { folder: "vulndb", command: "vulns", title: "Vulnerabilities & exploits", summary: "collect, translate, filter IoT, correlate into one record per vulnerability" },
  { folder: "traffic", command: "traffic", title: "Traffic", summary: "pcap I/O, device-type identification, anomaly detection, labelled traffic generation" },
  { folder: "malware", command: "malware", title: "Malware", summary: "IoT malware analysis: ELF, Mirai-style config tables, C2 and credential extraction" },
];
