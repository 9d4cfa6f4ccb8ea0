/**
 * Shadowserver's Open-IPP report row must be derivable from our result: a responder that answers with the
 * fixture row's printer facts is scanned, and the row's IPP columns are rebuilt from the result alone.
 */
import { readFileSync } from "node:fs";
import { afterEach, expect, it } from "vitest";
import { ippItem, ippModule, ippSetOf, ippTag, type IppResult } from "../../../../src/scan/modules/ipp/index.js";
import { describeWithShared, sharedFixture } from "../../../helpers/fixtures.js";
import { loopbackTarget, testScanContext } from "../../../helpers/scan.js";
import { httpIpp, ippResponse, startResponder, type Responder } from "./responder.js";

/** Columns filled by the engine and enrichment (address, time, geo, ASN, sector, device classification), not by the module. */
const notFromModule = new Set(["timestamp", "ip", "protocol", "port", "hostname", "tag", "asn", "geo", "region", "city", "naics", "sic", "device_vendor", "device_type", "device_model", "device_version", "device_sector"]);

/** The mapping documented in docs/scan-modules/ipp.md. */
function shadowserverIppColumns(r: IppResult): Record<string, string> {
  const join = (v: string[] | undefined) => (v ?? []).join(",");
  return {
    ipp_version: r.ipp_version ?? "",
    cups_version: r.cups_version ?? "",
    printer_uris: join(r.printer_uri_supported),
    printer_name: r.printer_name ?? "",
    printer_info: r.printer_info ?? "",
    printer_more_info: r.printer_more_info ?? "",
    printer_make_and_model: r.printer_make_and_model ?? "",
    printer_firmware_name: join(r.printer_firmware_name),
    printer_firmware_string_version: join(r.printer_firmware_string_version),
    printer_firmware_version: join(r.printer_firmware_version),
    printer_organization: join(r.printer_organization),
    printer_organization_unit: join(r.printer_organizational_unit),
    printer_uuid: r.printer_uuid ?? "",
    printer_wifi_ssid: r.printer_wifi_ssid ?? "",
  };
}

/** Minimal CSV: quoted fields without embedded quotes or newlines, as in the fixture. */
function parseCsv(text: string): Array<Record<string, string>> {
  const rows = text
    .trim()
    .split(/\r?\n/)
    .map((line) => [...line.matchAll(/("([^"]*)"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => m[2] ?? m[1]!));
  const [header, ...data] = rows;
  return data.map((cells) => Object.fromEntries(header!.map((h, i) => [h, cells[i] ?? ""])));
}

let responder: Responder | undefined;
afterEach(async () => {
  await responder?.close();
  responder = undefined;
});

describeWithShared("ipp result → Shadowserver Open-IPP columns", () => {
  it("rebuilds every IPP column of the fixture row from a scan of a printer with the same facts", async () => {
    const [row] = parseCsv(readFileSync(sharedFixture("scan/shadowserver_scan_ipp.csv"), "utf8"));
    const columns = Object.keys(row!);
    const body = ippResponse({
      printerItems: [
        ippSetOf(ippTag.uri, "printer-uri-supported", row!.printer_uris!.split(",")),
        ippItem(ippTag.name, "printer-name", row!.printer_name!),
        ippItem(ippTag.text, "printer-info", row!.printer_info!),
        ippItem(ippTag.uri, "printer-more-info", row!.printer_more_info!),
        ippItem(ippTag.text, "printer-make-and-model", row!.printer_make_and_model!),
        ippItem(ippTag.name, "printer-firmware-name", row!.printer_firmware_name!),
        ippItem(ippTag.text, "printer-firmware-string-version", row!.printer_firmware_string_version!),
        ippItem(ippTag.octetString, "printer-firmware-version", row!.printer_firmware_version!),
        ippItem(ippTag.text, "printer-organization", row!.printer_organization!),
        ippItem(ippTag.text, "printer-organizational-unit", row!.printer_organization_unit!),
        ippItem(ippTag.uri, "printer-uuid", row!.printer_uuid!),
        ippItem(ippTag.name, "printer-wifi-ssid", row!.printer_wifi_ssid!),
        ippSetOf(ippTag.keyword, "ipp-versions-supported", ["1.0", "1.1", "2.0"]),
      ],
    });
    const server = `${row!.cups_version} ${row!.ipp_version}`; // CUPS 2.0 said "CUPS/2.0 IPP/2.1"
    responder = await startResponder((_req, socket) => socket.end(httpIpp(body, { Server: server })));
    const ctx = testScanContext();
    const out = await ippModule.scan(loopbackTarget(responder.port), ctx);
    ctx.close();
    expect(out.status).toBe("success");

    const derived = shadowserverIppColumns(out.result!);
    const moduleColumns = columns.filter((c) => !notFromModule.has(c));
    expect(moduleColumns.sort()).toEqual(Object.keys(derived).sort());
    for (const c of moduleColumns) expect(derived[c], c).toBe(row![c]);
  });
});
