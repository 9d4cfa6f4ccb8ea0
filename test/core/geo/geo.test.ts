import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { geoPathsFrom, LruCache, noGeo, openGeo } from "../../../src/core/geo/index.js";
import type { Logger } from "../../../src/core/log/index.js";
import { describeWithShared, sharedFixture } from "../../helpers/fixtures.js";

describeWithShared("geo lookup on MaxMind's test databases", () => {
  const country = sharedFixture("geo/GeoLite2-Country-Test.mmdb");
  const city = sharedFixture("geo/GeoLite2-City-Test.mmdb");
  const asn = sharedFixture("geo/GeoLite2-ASN-Test.mmdb");

  it("gives the country and the AS of an address present in both databases", async () => {
    const geo = await openGeo({ country, asn });
    expect(geo.lookup("89.160.20.113")).toEqual({ country: "SE", asn: 29518, as_org: "Bredband2 AB" });
    expect(geo.lookup("2.125.160.216")).toEqual({ country: "GB", asn: null, as_org: null });
    expect(geo.lookup("1.128.0.0")).toEqual({ country: null, asn: 1221, as_org: "Telstra Pty Ltd" });
  });

  it("looks up IPv6 addresses", async () => {
    const geo = await openGeo({ asn });
    expect(geo.lookup("2001:8000::1")).toMatchObject({ asn: 1221, as_org: "Telstra Pty Ltd" });
  });

  it("reads the country from a City database too", async () => {
    const geo = await openGeo({ country: city });
    expect(geo.lookup("81.2.69.142").country).toBe("GB");
    expect(geo.sources).toEqual({ country: city, asn: null });
  });

  it("answers from its cache the second time (same object)", async () => {
    const geo = await openGeo({ country, asn });
    expect(geo.lookup("89.160.20.113")).toBe(geo.lookup("89.160.20.113"));
  });

  it("gives nulls for addresses the databases do not hold, and for text that is no address", async () => {
    const geo = await openGeo({ country, asn });
    expect(geo.lookup("192.0.2.1")).toEqual({ country: null, asn: null, as_org: null });
    expect(geo.lookup("not an ip")).toEqual({ country: null, asn: null, as_org: null });
  });
});

describe("geo without databases", () => {
  it("is no enrichment, not an error, when nothing is configured", async () => {
    const geo = await openGeo({});
    expect(geo).toBe(noGeo);
    expect(geo.lookup("89.160.20.113")).toEqual({ country: null, asn: null, as_org: null });
  });

  it("is no enrichment when a configured file is missing or not a database, with a warning", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "iotscope-geo-"));
    try {
      const junk = path.join(dir, "junk.mmdb");
      await writeFile(junk, "this is not an mmdb file");
      const warnings: string[] = [];
      const log = { warn: (_o: unknown, msg: string) => warnings.push(msg) } as unknown as Logger;
      const geo = await openGeo({ country: path.join(dir, "missing.mmdb"), asn: junk }, { log });
      expect(geo.lookup("89.160.20.113")).toEqual({ country: null, asn: null, as_org: null });
      expect(warnings).toEqual([expect.stringContaining("country database not found"), expect.stringContaining("ASN database unreadable")]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("takes paths from the environment before the config file", () => {
    expect(geoPathsFrom({ geoip: { country: "/c.mmdb", asn: "/a.mmdb" } }, { IOTSCOPE_GEOIP_ASN: "/env-a.mmdb" })).toEqual({ country: "/c.mmdb", asn: "/env-a.mmdb" });
    expect(geoPathsFrom(undefined, {})).toEqual({ country: undefined, asn: undefined });
  });
});

describe("LruCache", () => {
  it("evicts the least recently used key", () => {
    const c = new LruCache<string, number>(2);
    c.set("a", 1);
    c.set("b", 2);
    expect(c.get("a")).toBe(1); // a is now the most recent
    c.set("c", 3);
    expect(c.get("b")).toBeUndefined();
    expect(c.get("a")).toBe(1);
    expect(c.get("c")).toBe(3);
    expect(c.size).toBe(2);
  });
});
