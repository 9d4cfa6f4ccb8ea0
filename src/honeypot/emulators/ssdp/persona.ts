/**
 * The UPnP device a persona announces (persona.ssdp): read by the ssdp emulator (M-SEARCH answers) and
 * by the http emulator (the device description XML and service descriptions it serves). Absent fields
 * are derived from the persona's vendor, model and hostname.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Persona } from "../../persona.js";

const serviceSchema = z
  .object({
    /** e.g. urn:schemas-upnp-org:service:WANIPConnection:1 */
    service_type: z.string().max(256),
    /** e.g. urn:upnp-org:serviceId:WANIPConn1 */
    service_id: z.string().max(256),
    /** Paths on the http emulator (SCPD, control, events). */
    scpd_path: z.string().regex(/^\//),
    control_path: z.string().regex(/^\//),
    event_path: z.string().regex(/^\//),
  })
  .strict();

export const ssdpPersonaSchema = z
  .object({
    /** e.g. urn:schemas-upnp-org:device:InternetGatewayDevice:1, urn:schemas-upnp-org:device:MediaRenderer:1 */
    device_type: z.string().max(256).optional(),
    friendly_name: z.string().max(256).optional(),
    manufacturer: z.string().max(256).optional(),
    manufacturer_url: z.string().max(512).optional(),
    model_name: z.string().max(256).optional(),
    model_number: z.string().max(256).optional(),
    model_description: z.string().max(512).optional(),
    serial_number: z.string().max(128).optional(),
    /** uuid:… — absent → a stable UUID derived from the persona (so a sensor keeps it across restarts). */
    udn: z.string().regex(/^uuid:[0-9a-fA-F-]{36}$/).optional(),
    /** The SERVER header of SSDP answers, e.g. "Linux/3.4 UPnP/1.0 MiniUPnPd/1.9". */
    server: z.string().max(256).optional(),
    /** Path of the device description on the http emulator. */
    description_path: z.string().regex(/^\//).default("/description.xml"),
    services: z.array(serviceSchema).max(16).optional(),
  })
  .strict();

export interface UpnpDevice {
  deviceType: string;
  friendlyName: string;
  manufacturer: string;
  manufacturerUrl: string;
  modelName: string;
  modelNumber: string;
  modelDescription: string;
  serialNumber: string;
  udn: string;
  server: string;
  descriptionPath: string;
  services: z.infer<typeof serviceSchema>[];
}

export function upnpDevice(persona: Persona): UpnpDevice {
  const s = ssdpPersonaSchema.parse(persona.ssdp ?? {});
  const digest = createHash("sha256").update(`iotscope-upnp:${persona.name}:${persona.hostname}`).digest("hex");
  const uuid = `${digest.slice(0, 8)}-${digest.slice(8, 12)}-4${digest.slice(13, 16)}-a${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
  const router = /router|gateway|modem|ont/i.test(persona.device_type);
  return {
    deviceType: s.device_type ?? (router ? "urn:schemas-upnp-org:device:InternetGatewayDevice:1" : "urn:schemas-upnp-org:device:Basic:1"),
    friendlyName: s.friendly_name ?? `${persona.model} (${persona.hostname})`,
    manufacturer: s.manufacturer ?? persona.vendor,
    manufacturerUrl: s.manufacturer_url ?? `http://www.${persona.vendor.toLowerCase().replace(/[^a-z0-9]/g, "")}.com/`,
    modelName: s.model_name ?? persona.model,
    modelNumber: s.model_number ?? persona.model,
    modelDescription: s.model_description ?? `${persona.vendor} ${persona.device_type}`,
    serialNumber: s.serial_number ?? digest.slice(32, 44).toUpperCase(),
    udn: s.udn ?? `uuid:${uuid}`,
    server: s.server ?? "Linux/3.10.14 UPnP/1.0 Portable SDK for UPnP devices/1.6.19",
    descriptionPath: s.description_path,
    services: s.services ?? (router ? [wanIpConnection] : []),
  };
}

const wanIpConnection = {
  service_type: "urn:schemas-upnp-org:service:WANIPConnection:1",
  service_id: "urn:upnp-org:serviceId:WANIPConn1",
  scpd_path: "/WANIPCn.xml",
  control_path: "/ctl/IPConn",
  event_path: "/evt/IPConn",
};

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!);

/** The UPnP Device Architecture 1.0 device description. */
export function descriptionXml(d: UpnpDevice): string {
  const services = d.services
    .map(
      (s) =>
        `<service><serviceType>${xmlEscape(s.service_type)}</serviceType><serviceId>${xmlEscape(s.service_id)}</serviceId>` +
        `<SCPDURL>${xmlEscape(s.scpd_path)}</SCPDURL><controlURL>${xmlEscape(s.control_path)}</controlURL><eventSubURL>${xmlEscape(s.event_path)}</eventSubURL></service>`,
    )
    .join("");
  return [
    `<?xml version="1.0"?>`,
    `<root xmlns="urn:schemas-upnp-org:device-1-0">`,
    `<specVersion><major>1</major><minor>0</minor></specVersion>`,
    `<device>`,
    `<deviceType>${xmlEscape(d.deviceType)}</deviceType>`,
    `<friendlyName>${xmlEscape(d.friendlyName)}</friendlyName>`,
    `<manufacturer>${xmlEscape(d.manufacturer)}</manufacturer>`,
    `<manufacturerURL>${xmlEscape(d.manufacturerUrl)}</manufacturerURL>`,
    `<modelDescription>${xmlEscape(d.modelDescription)}</modelDescription>`,
    `<modelName>${xmlEscape(d.modelName)}</modelName>`,
    `<modelNumber>${xmlEscape(d.modelNumber)}</modelNumber>`,
    `<serialNumber>${xmlEscape(d.serialNumber)}</serialNumber>`,
    `<UDN>${xmlEscape(d.udn)}</UDN>`,
    services ? `<serviceList>${services}</serviceList>` : "",
    `</device>`,
    `</root>`,
    "",
  ]
    .filter((l) => l !== "")
    .join("\r\n");
}

/** A minimal SCPD for a service (actions are listed so that clients see a plausible IGD). */
export function scpdXml(serviceType: string): string {
  const actions = /WANIPConnection|WANPPPConnection/.test(serviceType) ? ["GetExternalIPAddress", "GetStatusInfo", "AddPortMapping", "DeletePortMapping", "GetGenericPortMappingEntry"] : ["GetStatus"];
  return (
    `<?xml version="1.0"?>\r\n<scpd xmlns="urn:schemas-upnp-org:service-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>` +
    `<actionList>${actions.map((a) => `<action><name>${a}</name></action>`).join("")}</actionList><serviceStateTable/></scpd>\r\n`
  );
}
