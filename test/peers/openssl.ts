/**
 * Certificates made with the `openssl` CLI and `openssl s_server` serving them on a free loopback port:
 * a device-like chain (a "Let's Encrypt Authority X3" look-alike CA signing xyz.asuscomm.com, as ASUS
 * routers present), self-signed RSA/EC/Ed25519 certificates, expired ones (through `openssl ca`, the only
 * OpenSSL 3.0 command that takes explicit dates) and SNI-dependent servers. Readiness is the port accepting
 * (no sleeps); stop() kills by PID. Recipes: /work/shared/PEERS.md (TLS).
 */
import { execFile, spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort, tcpAccepts, waitFor } from "../helpers/wait.js";

const run = promisify(execFile);

export type KeyType = "rsa" | "rsa1024" | "ec" | "ec384" | "ed25519";

export interface CertFiles {
  certPath: string;
  keyPath: string;
  pem: string;
  der: Buffer;
  /** Node's view, for cross-checks. */
  x509: X509Certificate;
}

/** Runs openssl in `cwd`; rejects with its stderr. */
export async function openssl(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run("openssl", args, { cwd, maxBuffer: 16 << 20 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`openssl ${args.slice(0, 3).join(" ")} failed: ${e.stderr || e.message}`);
  }
}

export function makeTempDir(prefix = "iotscope-tls-"): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

function keyArgs(key: KeyType): string[] {
  switch (key) {
    case "rsa":
      return ["-newkey", "rsa:2048"];
    case "rsa1024":
      return ["-newkey", "rsa:1024"];
    case "ec":
      return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
    case "ec384":
      return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"];
    case "ed25519":
      return ["-newkey", "ed25519"];
  }
}

export async function loadCert(dir: string, name: string): Promise<CertFiles> {
  const certPath = path.join(dir, `${name}.crt`);
  const pem = await readFile(certPath, "utf8");
  const x509 = new X509Certificate(pem);
  return { certPath, keyPath: path.join(dir, `${name}.key`), pem, der: x509.raw, x509 };
}

export interface SelfSignedOptions {
  name: string;
  /** openssl -subj form, e.g. "/C=US/O=Acme/CN=device". */
  subject: string;
  key?: KeyType;
  days?: number;
  /** Each becomes `-addext <value>`. */
  addext?: string[];
  /** Extra arguments for `openssl req`, e.g. ["-multivalue-rdn"] or ["-set_serial", "5"]. */
  args?: string[];
  /** A config file body for `openssl req -config` (string_mask, extension sections). */
  config?: string;
}

/** `openssl req -x509`: a self-signed certificate. */
export async function makeSelfSigned(dir: string, o: SelfSignedOptions): Promise<CertFiles> {
  const args = ["req", "-x509", ...keyArgs(o.key ?? "rsa"), "-nodes", "-keyout", `${o.name}.key`, "-out", `${o.name}.crt`];
  args.push("-days", String(o.days ?? 365), "-subj", o.subject, "-utf8");
  if (o.config !== undefined) {
    await writeFile(path.join(dir, `${o.name}.cnf`), o.config);
    args.push("-config", `${o.name}.cnf`);
  }
  for (const ext of o.addext ?? []) args.push("-addext", ext);
  args.push(...(o.args ?? []));
  await openssl(args, dir);
  return loadCert(dir, o.name);
}

export interface SignedOptions {
  name: string;
  subject: string;
  key?: KeyType;
  days?: number;
  /** extfile lines (`subjectAltName=DNS:a`); none gives a certificate without extensions. */
  extensions?: string[];
  /** Extra `openssl x509 -req` arguments, e.g. ["-set_serial", "0x1234"]. */
  args?: string[];
}

/** A key + CSR signed by `ca` with `openssl x509 -req`. */
export async function makeSigned(dir: string, ca: CertFiles, o: SignedOptions): Promise<CertFiles> {
  await openssl(["req", "-new", ...keyArgs(o.key ?? "rsa"), "-nodes", "-keyout", `${o.name}.key`, "-out", `${o.name}.csr`, "-subj", o.subject, "-utf8"], dir);
  const args = ["x509", "-req", "-in", `${o.name}.csr`, "-CA", ca.certPath, "-CAkey", ca.keyPath, "-out", `${o.name}.crt`, "-days", String(o.days ?? 90)];
  if (!(o.args ?? []).includes("-set_serial")) args.push("-CAcreateserial", "-CAserial", `${o.name}.srl`);
  if (o.extensions && o.extensions.length > 0) {
    await writeFile(path.join(dir, `${o.name}.ext`), o.extensions.join("\n") + "\n");
    args.push("-extfile", `${o.name}.ext`);
  }
  args.push(...(o.args ?? []));
  await openssl(args, dir);
  return loadCert(dir, o.name);
}

export const DEVICE_CA_SUBJECT = "/C=US/O=Let's Encrypt/CN=Let's Encrypt Authority X3";
export const DEVICE_LEAF_CN = "xyz.asuscomm.com";

/** The PEERS.md chain: CA `C=US, O=Let's Encrypt, CN=Let's Encrypt Authority X3` → leaf xyz.asuscomm.com. */
export async function makeDeviceChain(dir: string): Promise<{ ca: CertFiles; leaf: CertFiles }> {
  const ca = await makeSelfSigned(dir, {
    name: "ca",
    subject: DEVICE_CA_SUBJECT,
    days: 3650,
    addext: ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"],
  });
  const leaf = await makeSigned(dir, ca, {
    name: "leaf",
    subject: `/CN=${DEVICE_LEAF_CN}`,
    extensions: [`subjectAltName=DNS:${DEVICE_LEAF_CN}`, "extendedKeyUsage=serverAuth", "keyUsage=critical,digitalSignature,keyEncipherment"],
  });
  return { ca, leaf };
}

export interface DatedOptions {
  name: string;
  subject: string;
  /** openssl ca dates, e.g. "20200101000000Z". */
  start: string;
  end: string;
  key?: KeyType;
  /** Use this certificate's key instead of making one (two certificates differing only in extensions). */
  reuseKeyOf?: CertFiles;
  /** Signed by this CA; self-signed when absent. */
  issuer?: CertFiles;
  /** Hex serial number (default 1000). */
  serialHex?: string;
  /** Digest, e.g. "sha1" (default sha256). */
  md?: string;
  /** Extension lines (`basicConstraints=CA:FALSE`); none gives a certificate without extensions. */
  extensions?: string[];
}

/**
 * A certificate with explicit validity dates and serial, through `openssl ca` (the only OpenSSL 3.0
 * command that takes dates). The subject keeps every attribute in the order given (-preserveDN).
 */
export async function makeDated(dir: string, o: DatedOptions): Promise<CertFiles> {
  const caDir = path.join(dir, `${o.name}-ca`);
  await rm(caDir, { recursive: true, force: true });
  await mkdir(caDir, { recursive: true });
  await writeFile(path.join(caDir, "index.txt"), "");
  await writeFile(path.join(caDir, "serial"), `${o.serialHex ?? "1000"}\n`);
  const optional = ["commonName", "countryName", "stateOrProvinceName", "localityName", "organizationName", "organizationalUnitName", "emailAddress"];
  await writeFile(
    path.join(caDir, "ca.cnf"),
    [
      "[ca]",
      "default_ca = dated",
      "[dated]",
      `database = ${path.join(caDir, "index.txt")}`,
      `new_certs_dir = ${caDir}`,
      `serial = ${path.join(caDir, "serial")}`,
      `default_md = ${o.md ?? "sha256"}`,
      "policy = any",
      "unique_subject = no",
      "email_in_dn = yes",
      "[any]",
      ...optional.map((f) => `${f} = optional`),
      "[exts]",
      ...(o.extensions ?? []),
      "",
    ].join("\n"),
  );
  const keyOut = o.reuseKeyOf ? ["-key", o.reuseKeyOf.keyPath] : [...keyArgs(o.key ?? "ec"), "-nodes", "-keyout", `${o.name}.key`];
  await openssl(["req", "-new", ...keyOut, "-out", `${o.name}.csr`, "-subj", o.subject, "-utf8"], dir);
  const signer = o.issuer ? ["-cert", o.issuer.certPath, "-keyfile", o.issuer.keyPath] : ["-selfsign", "-keyfile", o.reuseKeyOf?.keyPath ?? `${o.name}.key`];
  const exts = o.extensions && o.extensions.length > 0 ? ["-extensions", "exts"] : [];
  await openssl(
    ["ca", "-batch", "-config", path.join(caDir, "ca.cnf"), ...signer, "-in", `${o.name}.csr`, "-out", `${o.name}.crt`, "-startdate", o.start, "-enddate", o.end, "-notext", "-preserveDN", "-utf8", ...exts],
    dir,
  );
  const files = await loadCert(dir, o.name);
  return o.reuseKeyOf ? { ...files, keyPath: o.reuseKeyOf.keyPath } : files;
}

export interface SServerOptions {
  cert: CertFiles;
  /** Certificates sent after the leaf: a PEM file path (may hold several, strays and duplicates included). */
  chainPath?: string;
  /** Serve `cert2` instead when the client's SNI is `name`. */
  sni?: { name: string; cert: CertFiles; fatalOnMismatch?: boolean };
  /** Extra s_server arguments, e.g. ["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"] or ["-alpn", "h2"]. */
  args?: string[];
  startTimeoutMs?: number;
}

export interface SServer {
  pid: number;
  port: number;
  output(): string;
  stop(): Promise<void>;
}

/** `openssl s_server -www -quiet` on 127.0.0.1 and a free port. */
export async function startSServer(o: SServerOptions): Promise<SServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(o);
    } catch (err) {
      // The free port can be taken between the probe and s_server's bind.
      if (attempt >= 3 || !/Address already in use|bind/i.test(String(err))) throw err;
    }
  }
}

async function launch(o: SServerOptions): Promise<SServer> {
  const port = await freePort();
  const args = ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", o.cert.certPath, "-key", o.cert.keyPath, "-www", "-quiet"];
  if (o.chainPath) args.push("-cert_chain", o.chainPath);
  if (o.sni) {
    args.push("-servername", o.sni.name, "-cert2", o.sni.cert.certPath, "-key2", o.sni.cert.keyPath);
    if (o.sni.fatalOnMismatch) args.push("-servername_fatal");
  }
  args.push(...(o.args ?? []));
  const child = spawn("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
  const stop = async () => {
    if (!exited && child.pid !== undefined) {
      process.kill(child.pid, "SIGTERM");
      const killer = setTimeout(() => !exited && child.pid !== undefined && process.kill(child.pid, "SIGKILL"), 2000);
      await exit;
      clearTimeout(killer);
    }
  };
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`openssl s_server exited: ${output.trim()}`);
        return tcpAccepts(port);
      },
      `openssl s_server on 127.0.0.1:${port}`,
      o.startTimeoutMs ?? 10_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { pid: child.pid!, port, output: () => output, stop };
}
