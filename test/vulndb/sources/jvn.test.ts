import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { source } from "../../../src/vulndb/sources/jvn/index.js";
import { detailUrl, jstDay } from "../../../src/vulndb/sources/jvn/api.js";
import { sources } from "../../../src/vulndb/sources/registry.js";
import { SourceParseError } from "../../../src/vulndb/sources/types.js";
import { describeWithShared, sharedFixture } from "../../helpers/fixtures.js";
import { drain, readAll, mutations, parseAll, parseOrParseError, rawOf, startFeedServer, testContext, type FeedServer } from "./feed-harness.js";

const RDF_OPEN = `<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns="http://purl.org/rss/1.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:dcterms="http://purl.org/dc/terms/" xmlns:sec="http://jvn.jp/rss/mod_sec/3.0/" xmlns:status="http://jvndb.jvn.jp/myjvn/Status" xml:lang="LANG">
  <channel rdf:about="https://jvndb.jvn.jp/apis/myjvn"><title>JVNDB</title><link>https://jvndb.jvn.jp/apis/myjvn</link></channel>`;

interface TestItem {
  id: string;
  modified: string;
  cve?: string;
}

function item(t: TestItem): string {
  return `<item rdf:about="https://jvndb.jvn.jp/ja/contents/2025/${t.id}.html">
    <title>タイトル ${t.id} &amp; 製品</title>
    <link>https://jvndb.jvn.jp/ja/contents/2025/${t.id}.html</link>
    <description><![CDATA[説明 <script> は文字列のまま]]></description>
    <sec:identifier>${t.id}</sec:identifier>
    ${t.cve ? `<sec:references source="CVE" id="${t.cve}">https://www.cve.org/CVERecord?id=${t.cve}</sec:references>` : ""}
    <sec:references source="JVN" id="JVNVU#12345678">https://jvn.jp/vu/JVNVU12345678/</sec:references>
    <sec:references id="CWE-78" title="OSコマンドインジェクション">https://cwe.mitre.org/data/definitions/78.html</sec:references>
    <sec:cpe version="2.2" vendor="アクメ" product="IPカメラ">cpe:/h:acme:ip_camera</sec:cpe>
    <sec:cvss score="5.0" severity="Medium" vector="(AV:N/AC:L/Au:N/C:N/I:N/A:P)" version="2.0" type="Base" />
    <dc:date>${t.modified}</dc:date>
    <dcterms:issued>2025-04-01T10:00:00+09:00</dcterms:issued>
    <dcterms:modified>${t.modified}</dcterms:modified>
  </item>`;
}

function overview(items: TestItem[], status: { totalRes: number; firstRes: number }, lang = "ja"): string {
  return `${RDF_OPEN.replace("LANG", lang)}
  ${items.map(item).join("\n")}
  <status:Status version="3.3" method="getVulnOverviewList" lang="${lang}" retCd="0" retMax="50" errCd="" errMsg="" totalRes="${status.totalRes}" totalResRet="${items.length}" firstRes="${status.firstRes}" feed="hnd" />
</rdf:RDF>`;
}

function vulinfo(t: TestItem, lang = "ja"): string {
  return `<Vulinfo>
    <VulinfoID>${t.id}</VulinfoID>
    <VulinfoData>
      <Title>${lang === "en" ? "Acme IP camera OS command injection" : "アクメ IP カメラにおける OS コマンドインジェクション"}</Title>
      <VulinfoDescription><Overview>${lang === "en" ? "Acme IP camera allows OS command injection." : "アクメ IP カメラには OS コマンドインジェクションの脆弱性が存在します。"}</Overview></VulinfoDescription>
      <Affected>
        <AffectedItem><Name>Acme</Name><ProductName>IP Camera C1</ProductName><Cpe version="2.2">cpe:/o:acme:c1_firmware</Cpe><VersionNumber>1.0.0 およびそれ以前</VersionNumber><VersionNumber>2.0.0</VersionNumber></AffectedItem>
        <AffectedItem><Name>Acme</Name><ProductName>IP Camera C2</ProductName><VersionNumber /></AffectedItem>
      </Affected>
      <Impact>
        <Cvss version="3.0"><Severity type="Base">Critical</Severity><Base>9.8</Base><Vector>CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</Vector></Cvss>
        <ImpactItem><Description>任意のコマンドを実行される可能性があります。</Description></ImpactItem>
      </Impact>
      <Solution><SolutionItem><Description>アップデートする</Description></SolutionItem></Solution>
      <Related>
        ${t.cve ? `<RelatedItem type="advisory"><Name>Common Vulnerabilities and Exposures (CVE)</Name><VulinfoID>${t.cve}</VulinfoID><URL>https://www.cve.org/CVERecord?id=${t.cve}</URL></RelatedItem>` : ""}
        <RelatedItem type="advisory"><Name>JVN</Name><VulinfoID>JVNVU#12345678</VulinfoID><URL>https://jvn.jp/vu/JVNVU12345678/</URL></RelatedItem>
        <RelatedItem type="cwe"><Name>JVNDB</Name><VulinfoID>CWE-78</VulinfoID><URL>https://cwe.mitre.org/data/definitions/78.html</URL></RelatedItem>
      </Related>
      <DateFirstPublished>2025-04-01T10:00:00+09:00</DateFirstPublished>
      <DateLastUpdated>${t.modified}</DateLastUpdated>
      <DatePublic>2025-03-28T00:00:00+09:00</DatePublic>
    </VulinfoData>
  </Vulinfo>`;
}

function detail(items: TestItem[], lang = "ja"): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<VULDEF-Document version="3.2" xmlns="http://jvn.jp/vuldef/" xmlns:vuldef="http://jvn.jp/vuldef/" xmlns:status="http://jvndb.jvn.jp/myjvn/Status" xml:lang="${lang}">
  ${items.map((t) => vulinfo(t, lang)).join("\n")}
  <status:Status version="3.3" method="getVulnDetailInfo" lang="${lang}" retCd="0" retMax="10" errCd="" errMsg="" totalRes="${items.length}" totalResRet="${items.length}" firstRes="1" feed="hnd" />
</VULDEF-Document>`;
}

const A: TestItem = { id: "JVNDB-2025-000001", modified: "2025-04-02T09:00:00+09:00", cve: "CVE-2025-1111" };

describe("jvn source", () => {
  it("is registered under its CLI name", () => {
    expect(sources.get("jvn")).toBe(source);
  });

  it("parses a getVulnOverviewList item: JVNDB + CVE aliases, JVNVU related, CWE, CPE 2.2 → 2.3, CVSS v2 without parentheses, UTC dates", () => {
    const [rec] = source.parse(rawOf("jvn", overview([A], { totalRes: 1, firstRes: 1 }), A.id, "application/xml"));
    expect(rec).toEqual({
      source: "jvn",
      sourceId: A.id,
      kind: "vulnerability",
      aliases: [A.id, "CVE-2025-1111"],
      related: ["JVNVU#12345678"],
      title: `タイトル ${A.id} & 製品`,
      descriptions: [{ lang: "ja", text: "説明 <script> は文字列のまま" }],
      published: "2025-04-01T01:00:00.000Z",
      modified: "2025-04-02T00:00:00.000Z",
      cvss: [{ version: "2.0", vector: "AV:N/AC:L/Au:N/C:N/I:N/A:P", baseScore: 5, baseSeverity: "MEDIUM", provider: "JVNDB" }],
      cwes: ["CWE-78"],
      cpes: [{ criteria: "cpe:2.3:h:acme:ip_camera:*:*:*:*:*:*:*:*", vulnerable: true }],
      affected: [{ vendor: "アクメ", product: "IPカメラ", versions: [], cpes: ["cpe:2.3:h:acme:ip_camera:*:*:*:*:*:*:*:*"] }],
      references: [
        { url: `https://jvndb.jvn.jp/ja/contents/2025/${A.id}.html`, name: A.id },
        { url: "https://www.cve.org/CVERecord?id=CVE-2025-1111", name: "CVE CVE-2025-1111" },
        { url: "https://jvn.jp/vu/JVNVU12345678/", name: "JVN JVNVU#12345678" },
      ],
    });
  });

  it("parses a VULDEF Vulinfo: affected products with versions, CVSS, solution, related ids, and keeps English as en", () => {
    const [ja] = source.parse(rawOf("jvn", detail([A]), A.id, "application/xml"));
    expect(ja).toMatchObject({
      aliases: [A.id, "CVE-2025-1111"],
      related: ["JVNVU#12345678"],
      cwes: ["CWE-78"],
      title: "アクメ IP カメラにおける OS コマンドインジェクション",
      descriptions: [{ lang: "ja", text: "アクメ IP カメラには OS コマンドインジェクションの脆弱性が存在します。" }],
      published: "2025-04-01T01:00:00.000Z",
      modified: "2025-04-02T00:00:00.000Z",
      cvss: [{ version: "3.0", baseScore: 9.8, baseSeverity: "CRITICAL", vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", provider: "JVNDB" }],
      cpes: [{ criteria: "cpe:2.3:o:acme:c1_firmware:*:*:*:*:*:*:*:*", vulnerable: true }],
      affected: [
        { vendor: "Acme", product: "IP Camera C1", versions: [{ text: "1.0.0 およびそれ以前", status: "affected" }, { text: "2.0.0", status: "affected" }], cpes: ["cpe:2.3:o:acme:c1_firmware:*:*:*:*:*:*:*:*"] },
        { vendor: "Acme", product: "IP Camera C2", versions: [] },
      ],
      remediations: [{ category: "solution", details: "アップデートする" }],
      extra: { datePublic: "2025-03-27T15:00:00.000Z", impact: [{ lang: "ja", text: "任意のコマンドを実行される可能性があります。" }] },
    });
    const [en] = source.parse(rawOf("jvn", detail([A], "en"), A.id, "application/xml"));
    expect(en!.descriptions).toEqual([{ lang: "en", text: "Acme IP camera allows OS command injection." }]);
  });

  it.each([
    ["truncated XML", overview([A], { totalRes: 1, firstRes: 1 }).slice(0, 700), /not well-formed XML/],
    ["an item without sec:identifier", overview([A], { totalRes: 1, firstRes: 1 }).replace(/<sec:identifier>.*<\/sec:identifier>/, ""), /item without sec:identifier/],
    ["an identifier that is not a JVNDB id", overview([A], { totalRes: 1, firstRes: 1 }).replace(`>${A.id}<`, ">JVN#1<"), /sec:identifier "JVN#1" is not a JVNDB id/],
    ["a CVSS score that is not a number", overview([A], { totalRes: 1, firstRes: 1 }).replace('score="5.0"', 'score="high"'), /CVSS 2\.0 score "high" is not a number/],
    ["an unknown CVSS version", overview([A], { totalRes: 1, firstRes: 1 }).replace('version="2.0" type', 'version="9" type'), /CVSS version "9"/],
    ["a date that is not a date", overview([A], { totalRes: 1, firstRes: 1 }).replace("<dcterms:issued>2025-04-01T10:00:00+09:00", "<dcterms:issued>昨日"), /dcterms:issued: not a date: "昨日"/],
    ["a Vulinfo without id", detail([A]).replace(/<VulinfoID>JVNDB.*?<\/VulinfoID>/, ""), /Vulinfo without VulinfoID/],
    ["an API error answer", detail([A]).replace('retCd="0"', 'retCd="1"').replace('errCd=""', 'errCd="100"').replace('errMsg=""', 'errMsg="bad vulnId"'), /MyJVN error 100: bad vulnId/],
    ["another XML document", "<?xml version='1.0'?><html><body/></html>", /root element "html" is neither/],
  ])("rejects %s with a SourceParseError naming the record and origin", (_what, body, reason) => {
    let err: unknown;
    try {
      source.parse({ ...rawOf("jvn", body, A.id, "application/xml"), origin: "page.xml#item[1]" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SourceParseError);
    expect((err as Error).message).toMatch(new RegExp(`^jvn: ${A.id} \\(page\\.xml#item\\[1\\]\\): `));
    expect((err as Error).message).toMatch(reason);
  });

  it("splits a file into one self-contained record per item; a bad item fails alone", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "jvn-"));
    const file = path.join(dir, "page.xml");
    const bad: TestItem = { id: "JVNDB-2025-000002", modified: "not a date" };
    await writeFile(file, overview([A, bad, { id: "JVNDB-2025-000003", modified: "2025-04-03T09:00:00+09:00" }], { totalRes: 3, firstRes: 1 }));
    const raws = await readAll(source, file, testContext());
    expect(raws.map((r) => [r.id, r.origin, r.modified])).toEqual([
      [A.id, `${file}#item[1]`, "2025-04-02T00:00:00.000Z"],
      ["JVNDB-2025-000002", `${file}#item[2]`, undefined],
      ["JVNDB-2025-000003", `${file}#item[3]`, "2025-04-03T00:00:00.000Z"],
    ]);
    // Each body is a whole document: the root with its namespaces, the channel, the status, one item.
    expect(raws[0]!.body).toContain('xmlns:sec="http://jvn.jp/rss/mod_sec/3.0/"');
    expect(raws[0]!.body).toContain("<status:Status");
    expect(raws[0]!.body.match(/<item /g)).toHaveLength(1);
    const { records, errors } = parseAll(source, raws);
    expect(records.map((r) => r.sourceId)).toEqual([A.id, "JVNDB-2025-000003"]);
    expect(errors.map((e) => e.message)).toEqual([`jvn: JVNDB-2025-000002 (${file}#item[2]): dcterms:modified: not a date: "not a date"`]);
  });

  it("never throws anything but SourceParseError on random or mutated XML", () => {
    const texts = [overview([A], { totalRes: 1, firstRes: 1 }), detail([A])];
    const at = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(
        fc.constantFrom(...texts),
        fc.oneof(
          fc.string().map((s) => () => s),
          fc.tuple(at, fc.constantFrom("<", ">", "&", '"', "x", "", "</a>", "<!--")).map(([a, c]) => (t: string) => mutations.flip(t, a, c)),
          fc.tuple(at, fc.nat(30)).map(([a, n]) => (t: string) => mutations.cut(t, a, n)),
          fc.tuple(at, fc.nat(30)).map(([a, n]) => (t: string) => mutations.repeat(t, a, n)),
          at.map((a) => (t: string) => mutations.truncate(t, a)),
        ),
        (text, mutate) => {
          parseOrParseError(source, rawOf("jvn", mutate(text), "x", "application/xml"));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("does not expand a billion-laughs entity bomb", () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]><rdf:RDF xmlns:rdf="x"><item><title>&g;</title></item></rdf:RDF>`;
    const out = parseOrParseError(source, rawOf("jvn", bomb, "bomb", "application/xml"));
    expect(out).toBeInstanceOf(SourceParseError);
  });

  it("builds MyJVN detail requests with '+'-joined ids and Japan-time days", () => {
    expect(detailUrl("https://jvndb.jvn.jp/myjvn", ["JVNDB-2025-000001", "JVNDB-2025-000002"], "ja")).toBe(
      "https://jvndb.jvn.jp/myjvn?method=getVulnDetailInfo&feed=hnd&lang=ja&vulnId=JVNDB-2025-000001+JVNDB-2025-000002",
    );
    expect(jstDay(new Date("2025-04-07T15:30:00Z"))).toBe("2025-04-08");
  });

  describe("online", () => {
    let server: FeedServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    /** A MyJVN that pages 2 items at a time and filters on datePublishedStart (its "更新日"). */
    async function myjvn(all: TestItem[]): Promise<FeedServer> {
      return startFeedServer({
        "/myjvn": {
          type: "application/xml",
          body: (_req, url) => {
            const q = url.searchParams;
            if (q.get("method") === "getVulnOverviewList") {
              expect(q.get("feed")).toBe("hnd");
              expect([q.get("rangeDatePublic"), q.get("rangeDatePublished"), q.get("rangeDateFirstPublished")]).toEqual(["n", "n", "n"]);
              const from = `${q.get("datePublishedStartY")}-${q.get("datePublishedStartM")!.padStart(2, "0")}-${q.get("datePublishedStartD")!.padStart(2, "0")}`;
              const matches = all.filter((t) => t.modified.slice(0, 10) >= from);
              const start = Number(q.get("startItem"));
              return overview(matches.slice(start - 1, start + 1), { totalRes: matches.length, firstRes: start }, q.get("lang") ?? "ja");
            }
            if (q.get("method") === "getVulnDetailInfo") {
              const ids = (q.get("vulnId") ?? "").split(" "); // "+" arrives as a space in a query string
              return detail(all.filter((t) => ids.includes(t.id)), q.get("lang") ?? "ja");
            }
            return "<unknown/>";
          },
        },
      });
    }

    it("pages through the overview list, fetches details in batches, and resumes from the last day", async () => {
      const all: TestItem[] = [A, 2, 3, 4, 5].map((n) => (typeof n === "number" ? { id: `JVNDB-2025-00000${n}`, modified: `2025-04-0${n}T09:00:00+09:00`, cve: `CVE-2025-000${n}` } : n));
      server = await myjvn(all);
      const ctx = testContext({ baseUrl: `${server.base}/myjvn`, since: "2025-01-01" }, new Date("2025-04-05T03:00:00Z"));
      const first = await drain(source, undefined, ctx);
      expect(first.records.map((r) => r.id)).toEqual(all.map((t) => t.id));
      expect(first.cursor).toEqual({ lastUpdated: "2025-04-05" });
      const overviews = server.log.filter((l) => l.url.includes("getVulnOverviewList"));
      expect(overviews.map((l) => new URL(l.url, server!.base).searchParams.get("startItem"))).toEqual(["1", "3", "5"]);
      expect(server.log.filter((l) => l.url.includes("getVulnDetailInfo"))).toHaveLength(3);
      const { records, errors } = parseAll(source, first.records);
      expect(errors).toEqual([]);
      expect(records.find((r) => r.sourceId === "JVNDB-2025-000003")?.aliases).toEqual(["JVNDB-2025-000003", "CVE-2025-0003"]);
      expect(records[0]!.affected[0]!.versions).toHaveLength(2);

      // Next sync: only what was updated on or after the cursor's day.
      server.log.length = 0;
      const second = await drain(source, first.cursor, ctx);
      expect(second.records.map((r) => r.id)).toEqual(["JVNDB-2025-000005"]);
      expect(new URL(server.log[0]!.url, server.base).searchParams.get("datePublishedStartD")).toBe("5");
    });

    it("yields overview items without detail requests when detail=false, and stops on an API error", async () => {
      server = await myjvn([A]);
      const ctx = testContext({ baseUrl: `${server.base}/myjvn`, detail: "false", since: "2025-01-01" });
      const run = await drain(source, undefined, ctx);
      expect(run.records.map((r) => r.id)).toEqual([A.id]);
      expect(run.records[0]!.body).toContain("<sec:identifier>");
      expect(server.log.every((l) => l.url.includes("getVulnOverviewList"))).toBe(true);
      server.routes.set("/myjvn", { type: "application/xml", body: overview([], { totalRes: 0, firstRes: 0 }).replace('retCd="0"', 'retCd="1"').replace('errMsg=""', 'errMsg="too many requests"') });
      await expect(drain(source, undefined, ctx)).rejects.toThrow(/MyJVN error .*too many requests/);
    });

    it("stops with an error when the server's paging does not advance", async () => {
      const items: TestItem[] = [A, { id: "JVNDB-2025-000002", modified: "2025-04-03T09:00:00+09:00" }];
      server = await startFeedServer({ "/myjvn": { type: "application/xml", body: overview(items, { totalRes: 10, firstRes: 0 }) } });
      const ctx = testContext({ baseUrl: `${server.base}/myjvn`, detail: "false", since: "2025-01-01" });
      await expect(drain(source, undefined, ctx)).rejects.toThrow(/paging did not advance \(firstRes=0, totalResRet=2\)/);
    });
  });
});

describeWithShared("jvn source on the real MyJVN samples", () => {
  it("getVulnOverviewList_hnd: two items, field by field", async () => {
    const raws = await readAll(source, sharedFixture("vulndb/jvndb_getVulnOverviewList_hnd.xml"), testContext());
    expect(raws.map((r) => r.id)).toEqual(["JVNDB-2025-002953", "JVNDB-2025-002884"]);
    const { records, errors } = parseAll(source, raws);
    expect(errors).toEqual([]);
    const [photo, rockwell] = records as [(typeof records)[0], (typeof records)[0]];
    expect(photo).toMatchObject({
      sourceId: "JVNDB-2025-002953",
      aliases: ["JVNDB-2025-002953", "CVE-2025-31084"],
      related: [],
      title: "WordPress 用 Sunshine Photo Cart における信頼できないデータのデシリアライゼーションに関する脆弱性",
      descriptions: [{ lang: "ja", text: "WordPress 用 Sunshine Photo Cart には、信頼できないデータのデシリアライゼーションに関する脆弱性が存在します。" }],
      cwes: ["CWE-502"],
      cpes: [{ criteria: "cpe:2.3:a:sunshinephotocart:sunshine_photo_cart:*:*:*:*:*:*:*:*", vulnerable: true }],
      affected: [{ vendor: "Sunshine Photo Cart", product: "Sunshine Photo Cart", versions: [], cpes: ["cpe:2.3:a:sunshinephotocart:sunshine_photo_cart:*:*:*:*:*:*:*:*"] }],
      cvss: [{ version: "3.0", baseScore: 9.8, baseSeverity: "CRITICAL", vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", provider: "JVNDB" }],
      published: "2025-04-04T05:45:58.000Z",
      modified: "2025-04-04T05:45:58.000Z",
    });
    expect(photo.references.map((r) => r.url)).toContain("https://patchstack.com/database/wordpress/plugin/sunshine-photo-cart/vulnerability/wordpress-sunshine-photo-cart-3-4-10-php-object-injection-vulnerability?_s_id=cve");
    expect(rockwell.aliases).toEqual(["JVNDB-2025-002884", "CVE-2025-23120"]);
    expect(rockwell.related).toEqual(["ICSA-25-091-01", "JVNVU#99709964"]);
    expect(rockwell.cvss).toEqual([]);
    expect(rockwell.cpes.map((c) => c.criteria)).toEqual([
      "cpe:2.3:a:rockwellautomation:industrial_data_center_\\(idc\\)_with_veeam:*:*:*:*:*:*:*:*",
      "cpe:2.3:a:rockwellautomation:versavirtual_appliance_\\(vva\\)_with_veeam:*:*:*:*:*:*:*:*",
    ]);
    expect(rockwell.affected.map((a) => a.product)).toEqual(["Industrial Data Center (IDC) with Veeam", "VersaVirtual Appliance (VVA) with Veeam"]);
  });

  it("getVulnDetailInfo_hnd JVNDB-2017-009608: the airbag control unit, field by field", async () => {
    const raws = await readAll(source, sharedFixture("vulndb/jvndb_getVulnDetailInfo_hnd_JVNDB-2017-009608.xml"), testContext());
    expect(raws.map((r) => r.id)).toEqual(["JVNDB-2017-009608"]);
    const [rec, ...rest] = source.parse(raws[0]!);
    expect(rest).toEqual([]);
    expect(rec).toMatchObject({
      sourceId: "JVNDB-2017-009608",
      aliases: ["JVNDB-2017-009608", "CVE-2017-14937"],
      related: [],
      title: "エアバッグコントロールユニットにおける暗号アルゴリズムの使用に関する脆弱性",
      cwes: ["CWE-327"],
      cpes: [{ criteria: "cpe:2.3:h:pcu:pcu:*:*:*:*:*:*:*:*", vulnerable: true }],
      affected: [{ vendor: "PCU", product: "PCU", versions: [], cpes: ["cpe:2.3:h:pcu:pcu:*:*:*:*:*:*:*:*"] }],
      cvss: [
        { version: "2.0", baseScore: 1.9, baseSeverity: "LOW", vector: "AV:L/AC:M/Au:N/C:P/I:N/A:N", provider: "JVNDB" },
        { version: "3.0", baseScore: 4.7, baseSeverity: "MEDIUM", vector: "CVSS:3.0/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N", provider: "JVNDB" },
      ],
      remediations: [{ category: "solution", details: "参考情報を参照して適切な対策を実施してください。" }],
      published: "2017-11-16T06:06:40.000Z",
      modified: "2017-11-16T06:06:40.000Z",
      extra: { datePublic: "2017-10-19T15:00:00.000Z", impact: [{ lang: "ja", text: "情報を取得される可能性があります。" }] },
    });
    expect(rec!.descriptions).toEqual([{ lang: "ja", text: expect.stringMatching(/^2014 年以降に製造された不特定の乗用車のエアバッグコントロールユニット/) }]);
    expect(rec!.references.map((r) => r.url)).toEqual([
      "http://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2017-14937",
      "https://nvd.nist.gov/vuln/detail/CVE-2017-14937",
      "http://www.mmt.hs-karlsruhe.de/downloads/IEEM/Schwachstellen/PCU_Vulnerability_Description_HsKA.PDF",
    ]);
  });

  it("mutations of the real samples give records or SourceParseErrors, nothing else", () => {
    const texts = ["vulndb/jvndb_getVulnOverviewList_hnd.xml", "vulndb/jvndb_getVulnDetailInfo_hnd_JVNDB-2017-009608.xml"].map((f) => readFileSync(sharedFixture(f), "utf8"));
    const at = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(fc.constantFrom(...texts), at, fc.constantFrom("<", ">", "&", "x", "", '"'), fc.nat(40), (text, a, c, n) => {
        parseOrParseError(source, rawOf("jvn", mutations.flip(text, a, c), "x", "application/xml"));
        parseOrParseError(source, rawOf("jvn", mutations.cut(text, a, n), "x", "application/xml"));
      }),
      { numRuns: 300 },
    );
  });
});
