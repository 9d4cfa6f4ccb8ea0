/**
 * Shadowserver's Accessible-SSL report (74 columns) must be derivable from a tls result: every column is
 * either produced by shadowserverColumns or named, with its source, in shadowserverColumnsElsewhere. Two
 * fixture rows (a FortiGate and a pfSense) are re-created with openssl — same names, serial, dates, key
 * size, digest, cipher and version — scanned, and their columns compared with the report's.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { shadowserverColumns, shadowserverColumnsElsewhere, tlsModule, type TlsResult } from "../../../../src/scan/modules/tls/index.js";
import { describeWithShared, sharedFixture } from "../../../helpers/fixtures.js";
import { loopbackTarget, testScanContext } from "../../../helpers/scan.js";
import { makeDated, makeDeviceChain, makeSelfSigned, makeTempDir, openssl, removeDir, startSServer, type SServerOptions } from "../../../peers/openssl.js";

/** The fixture's CSV: quoted fields with doubled quotes, one record per line. */
function parseCsv(text: string): Array<Record<string, string>> {
  const split = (line: string) => {
    const out: string[] = [];
    let field = "";
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quoted && c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = !quoted;
      else if (c === "," && !quoted) {
        out.push(field);
        field = "";
      } else field += c;
    }
    out.push(field);
    return out;
  };
  const [header, ...rows] = text.trim().split(/\r?\n/).map(split);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ""])));
}

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(() => removeDir(dir));

async function scanServer(o: SServerOptions): Promise<TlsResult> {
  const server = await startSServer(o);
  const ctx = testScanContext();
  try {
    const out = await tlsModule.scan(loopbackTarget(server.port), ctx);
    expect(out.status).toBe("success");
    return out.result!;
  } finally {
    ctx.close();
    await server.stop();
  }
}

/** Columns that depend on the key pair or the scanner's trust store rather than on what was re-created. */
const notComparable = new Set(["sha1_fingerprint", "sha256_fingerprint", "sha512_fingerprint", "md5_fingerprint", "browser_error", "tlsv13_support", "tlsv13_cipher"]);

describeWithShared("tls result → Shadowserver Accessible-SSL columns", () => {
  const text = readFileSync(sharedFixture("scan/shadowserver_scan_ssl.csv"), "utf8");
  const rows = parseCsv(text);
  const header = Object.keys(rows[0]!);

  it("accounts for every one of the 74 columns, each exactly once", async () => {
    expect(header).toHaveLength(74);
    const { ca, leaf } = await makeDeviceChain(dir);
    const result = await scanServer({ cert: leaf, chainPath: ca.certPath });
    const derived = Object.keys(shadowserverColumns(result, new Date()));
    const elsewhere = Object.keys(shadowserverColumnsElsewhere);
    expect([...derived, ...elsewhere].sort()).toEqual([...header].sort());
  });

  it("formats fingerprints, serial and dates the way the report does", async () => {
    const { ca, leaf } = await makeDeviceChain(dir);
    const result = await scanServer({ cert: leaf, chainPath: ca.certPath });
    const cols = shadowserverColumns(result, new Date());
    const fp = async (alg: string) => (await openssl(["x509", "-in", leaf.certPath, "-noout", "-fingerprint", `-${alg}`], dir)).trim().split("=")[1];
    expect(cols.sha1_fingerprint).toBe(await fp("sha1"));
    expect(cols.sha256_fingerprint).toBe(await fp("sha256"));
    expect(cols.sha512_fingerprint).toBe(await fp("sha512"));
    expect(cols.md5_fingerprint).toBe(await fp("md5"));
    expect(cols.cert_serial_number).toBe(leaf.x509.serialNumber.replace(/^0+/, ""));
    expect(cols).toMatchObject({ subject_common_name: "xyz.asuscomm.com", issuer_common_name: "Let's Encrypt Authority X3", issuer_organization_name: "Let's Encrypt", issuer_country: "US" });
    expect(cols).toMatchObject({ handshake: "TLSv1.3", tlsv13_support: "Y", tlsv13_cipher: "TLS_AES_256_GCM_SHA384", self_signed: "N", browser_trusted: "N" });
    expect(String(cols.cert_issue_date)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it("reproduces the FortiGate row (1024-bit RSA, SHA-1, TLS 1.2 ECDHE-RSA-AES256-SHA, issued by 'support')", async () => {
    const row = rows[0]!;
    expect(row.subject_common_name).toBe("FGT60D4614030700");
    const issuer = await makeSelfSigned(dir, {
      name: "forti-ca",
      key: "rsa1024",
      subject: "/C=US/ST=California/L=Sunnyvale/O=Fortinet/OU=Certificate Authority/CN=support/emailAddress=support@fortinet.com",
    });
    const cert = await makeDated(dir, {
      name: "forti",
      key: "rsa1024",
      issuer,
      md: "sha1",
      serialHex: "168CAE",
      extensions: ["basicConstraints=CA:FALSE"],
      start: "20140623095632Z",
      end: "20380119031407Z",
      subject: "/C=US/ST=California/L=Sunnyvale/O=Fortinet/OU=FortiGate/CN=FGT60D4614030700/emailAddress=support@fortinet.com",
    });
    const result = await scanServer({ cert, args: ["-tls1_2", "-cipher", "ECDHE-RSA-AES256-SHA:@SECLEVEL=0"] });
    expectRow(shadowserverColumns(result, new Date(row.timestamp!.replace(" ", "T") + "Z")), row);
  });

  it("reproduces the self-signed pfSense row (2048-bit RSA, SHA-256, TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256)", async () => {
    const row = rows[1]!;
    const cert = await makeDated(dir, {
      name: "pfsense",
      key: "rsa",
      serialHex: "36974C4C6B1B3785",
      extensions: ["basicConstraints=CA:TRUE", "subjectKeyIdentifier=hash"],
      start: "20220104010134Z",
      end: "20230206010134Z",
      subject: "/O=pfSense webConfigurator Self-Signed Certificate/CN=1078-btb-tbi-HungHa-61d39c6d5a7e2",
    });
    const result = await scanServer({ cert, args: ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"] });
    expectRow(shadowserverColumns(result, new Date(row.timestamp!.replace(" ", "T") + "Z")), row);
  });
});

function expectRow(derived: Record<string, string | number>, row: Record<string, string>): void {
  const compared = Object.keys(derived).filter((k) => !notComparable.has(k));
  expect(compared).toHaveLength(40);
  expect(Object.fromEntries(compared.map((k) => [k, String(derived[k])]))).toEqual(Object.fromEntries(compared.map((k) => [k, row[k]])));
}
