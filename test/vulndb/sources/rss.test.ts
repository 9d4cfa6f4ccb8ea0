import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { source } from "../../../src/vulndb/sources/rss/index.js";
import { mentionedIds } from "../../../src/vulndb/sources/common/ids.js";
import { htmlText } from "../../../src/vulndb/sources/rss/parse.js";
import { sources } from "../../../src/vulndb/sources/registry.js";
import { SourceParseError } from "../../../src/vulndb/sources/types.js";
import { repoRoot } from "../../helpers/fixtures.js";
import { drain, readAll, mutations, parseAll, parseOrParseError, rawOf, startFeedServer, testContext, type FeedServer } from "./feed-harness.js";

const rssFile = path.join(repoRoot, "test/vulndb/fixtures/rss_iot-blog.rss");
const atomFile = path.join(repoRoot, "test/vulndb/fixtures/atom_vendor-advisories.atom");
const rssText = readFileSync(rssFile, "utf8");
const atomText = readFileSync(atomFile, "utf8");

function rssFeed(items: { guid: string; date: string; text: string }[]): string {
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://t.example/</link>${items
    .map((i) => `<item><title>${i.guid}</title><guid>${i.guid}</guid><link>https://t.example/${i.guid}</link><pubDate>${i.date}</pubDate><description>${i.text}</description></item>`)
    .join("")}</channel></rss>`;
}

describe("rss source", () => {
  it("is registered under its CLI name", () => {
    expect(sources.get("rss")).toBe(source);
  });

  it("reads an RSS 2.0 item as an article: HTML stripped, ids it mentions linked, never aliased", async () => {
    const raws = await readAll(source, rssFile, testContext());
    expect(raws.map((r) => [r.id, r.origin, r.modified])).toEqual([
      ["post-101", `${rssFile}#item[1]`, "2023-04-25T12:30:00.000Z"],
      ["https://blog.iot-research.example/2023/cameras", `${rssFile}#item[2]`, "2023-05-03T08:00:00.000Z"],
    ]);
    const [post] = source.parse(raws[0]!);
    expect(post).toEqual({
      source: "rss",
      sourceId: "https://blog.iot-research.example/ post-101",
      kind: "article",
      aliases: [],
      related: ["EDB-51677", "EDB-48247"],
      exploits: ["CVE-2023-1389", "GHSA-23xf-5535-62v5", "JVNDB-2023-001234", "EUVD-2023-23645"],
      title: "Archer AX21: from cve-2023-1389 to a botnet",
      descriptions: [
        {
          lang: "en-GB",
          text: "The TP-Link Archer AX21 flaw (NVD) is now used by Mirai.\n\nSee also GHSA-23XF-5535-62V5, JVNDB-2023-001234, EUVD-2023-23645 and the public exploit EDB-ID: 51677 & this one.",
        },
      ],
      published: "2023-04-25T12:30:00.000Z",
      cvss: [],
      cwes: [],
      cpes: [],
      affected: [],
      references: [{ url: "https://blog.iot-research.example/2023/archer-ax21", name: "Archer AX21: from cve-2023-1389 to a botnet" }],
      extra: { categories: ["routers", "Mirai"] },
    });
    const [plain] = source.parse(raws[1]!);
    expect(plain).toMatchObject({ sourceId: "https://blog.iot-research.example/ https://blog.iot-research.example/2023/cameras", exploits: [], related: [] });
    expect(plain!.descriptions[0]!.text).toBe("Plain text with an ampersand & no ids at all.");
  });

  it("reads Atom entries: html and xhtml content, entry language, updated as modified", async () => {
    const raws = await readAll(source, atomFile, testContext());
    expect(raws.map((r) => [r.id, r.modified])).toEqual([
      ["tag:psirt.acme.example,2025:ACME-2025-0001", "2025-03-01T10:00:00.000Z"],
      ["tag:psirt.acme.example,2025:ACME-2025-0002", "2025-03-02T00:00:00.000Z"],
    ]);
    const [{ records, errors }] = [parseAll(source, raws)];
    expect(errors).toEqual([]);
    expect(records[0]).toMatchObject({
      sourceId: "tag:psirt.acme.example,2025:advisories tag:psirt.acme.example,2025:ACME-2025-0001",
      title: "ACME-2025-0001: Kamera <IPC-200>",
      descriptions: [{ lang: "de", text: "Behebt CVE-2025-0001 und CVE-2025-0002." }],
      published: "2025-02-01T09:00:00.000Z",
      modified: "2025-03-01T10:00:00.000Z",
      exploits: ["CVE-2025-0001", "CVE-2025-0002"],
      references: [{ url: "https://psirt.acme.example/advisories/ACME-2025-0001" }],
      extra: { categories: ["camera"] },
    });
    expect(records[1]).toMatchObject({ descriptions: [{ lang: "en", text: "Fixes CVE-2025-0003 in NVR-8." }], exploits: ["CVE-2025-0003"] });
  });

  it("reads RSS 1.0 (RDF) items, with rdf:about as the guid and dc:date as the date", async () => {
    const rdf = `<?xml version="1.0"?><rdf:RDF xmlns="http://purl.org/rss/1.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="https://jvn.example/rss"><title>JVN</title><link>https://jvn.example/</link><dc:language>ja</dc:language></channel>
      <item rdf:about="https://jvn.example/vu/JVNVU1/"><title>JVNVU#1: ルータの脆弱性</title><link>https://jvn.example/vu/JVNVU1/</link><description>CVE-2025-4242 の対策</description><dc:date>2025-04-01T10:00:00+09:00</dc:date></item>
    </rdf:RDF>`;
    const dir = await mkdtemp(path.join(os.tmpdir(), "rss-"));
    const file = path.join(dir, "jvn.rdf.xml");
    await writeFile(file, rdf);
    const raws = await readAll(source, file, testContext());
    expect(raws.map((r) => [r.id, r.modified])).toEqual([["https://jvn.example/vu/JVNVU1/", "2025-04-01T01:00:00.000Z"]]);
    expect(source.parse(raws[0]!)).toMatchObject([
      { sourceId: "https://jvn.example/ https://jvn.example/vu/JVNVU1/", title: "JVNVU#1: ルータの脆弱性", descriptions: [{ lang: "ja", text: "CVE-2025-4242 の対策" }], published: "2025-04-01T01:00:00.000Z", exploits: ["CVE-2025-4242"] },
    ]);
  });

  it("finds every id scheme, normalised, and not look-alikes", () => {
    expect(mentionedIds("cve-2024-12345 CVE-2024-123 GHSA-abcd-efgh-ijkl ghsa-2345-6789-cfgh JVNDB-2024-0001 EUVD-2025-1 EDB-ID:123 EDB-ID #77 exploit-db.com/exploits/0042 XCVE-2020-1111")).toEqual({
      vulnerabilities: ["CVE-2024-12345", "GHSA-2345-6789-cfgh", "EUVD-2025-1"],
      exploits: ["EDB-123", "EDB-77", "EDB-42"],
    });
  });

  it("strips HTML to readable text: scripts, styles and images gone, entities decoded, lists kept", () => {
    expect(htmlText("<style>p{}</style><h2>Fix</h2><ul><li>a &amp; b</li><li>c</li></ul><script>x()</script><img src=a>")).toBe("Fix\n\n * a & b\n * c");
  });

  it.each([
    ["truncated XML", rssText.slice(0, 900), /not well-formed XML/],
    ["an item without guid or link", rssFeed([{ guid: "", date: "Tue, 25 Apr 2023 14:30:00 GMT", text: "x" }]).replace(/<guid><\/guid><link>[^<]*<\/link>/, ""), /item without guid\/id or link/],
    ["a date that is not a date", rssFeed([{ guid: "g", date: "someday", text: "x" }]), /published date: not a date: "someday"/],
    ["another XML document", "<?xml version='1.0'?><html/>", /root element "html" is not rss, rdf:RDF or feed/],
    ["a channel-less RSS", "<rss version='2.0'><item/></rss>", /RSS without channel/],
  ])("rejects %s with a SourceParseError naming the record and origin", (_what, body, reason) => {
    let err: unknown;
    try {
      source.parse({ ...rawOf("rss", body, "post-101", "application/xml"), origin: "feed.xml#item[1]" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SourceParseError);
    expect((err as Error).message).toMatch(/^rss: post-101 \(feed\.xml#item\[1\]\): /);
    expect((err as Error).message).toMatch(reason);
  });

  it("a bad item among good ones fails alone", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "rss-"));
    const file = path.join(dir, "feed.xml");
    await writeFile(file, rssFeed([{ guid: "a", date: "Tue, 25 Apr 2023 14:30:00 GMT", text: "CVE-2023-0001" }, { guid: "b", date: "never", text: "x" }, { guid: "c", date: "Wed, 26 Apr 2023 14:30:00 GMT", text: "CVE-2023-0003" }]));
    const { records, errors } = parseAll(source, await readAll(source, file, testContext()));
    expect(records.map((r) => r.exploits)).toEqual([["CVE-2023-0001"], ["CVE-2023-0003"]]);
    expect(errors.map((e) => e.message)).toEqual([`rss: b (${file}#item[2]): published date: not a date: "never"`]);
  });

  it("never throws anything but SourceParseError on random or mutated feeds", () => {
    const at = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(
        fc.constantFrom(rssText, atomText),
        fc.oneof(
          fc.string().map((s) => () => s),
          fc.tuple(at, fc.constantFrom("<", ">", "&", '"', "x", "", "</p>", "<![CDATA[")).map(([a, c]) => (t: string) => mutations.flip(t, a, c)),
          fc.tuple(at, fc.nat(30)).map(([a, n]) => (t: string) => mutations.cut(t, a, n)),
          fc.tuple(at, fc.nat(30)).map(([a, n]) => (t: string) => mutations.repeat(t, a, n)),
          at.map((a) => (t: string) => mutations.truncate(t, a)),
        ),
        (text, mutate) => {
          parseOrParseError(source, rawOf("rss", mutate(text), "x", "application/xml"));
        },
      ),
      { numRuns: 400 },
    );
  });

  describe("online", () => {
    let server: FeedServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it("keeps a cursor per feed: 304 → nothing, then only items newer than the newest seen; a failing feed is skipped", async () => {
      server = await startFeedServer({
        "/blog.rss": { body: rssText, etag: '"r1"', type: "application/rss+xml" },
        "/psirt.atom": { body: atomText, lastModified: "Sun, 02 Mar 2025 00:00:00 GMT", type: "application/atom+xml" },
        "/gone.rss": { status: 404, body: "gone" },
      });
      const dir = await mkdtemp(path.join(os.tmpdir(), "rss-"));
      const list = path.join(dir, "feeds.txt");
      await writeFile(list, `# security feeds\n${server.base}/psirt.atom\n${server.base}/gone.rss  # moved\n`);
      const ctx = testContext({ feeds: `${server.base}/blog.rss`, feedsFile: list });
      const first = await drain(source, undefined, ctx);
      expect(first.records.map((r) => r.id)).toEqual(["post-101", "https://blog.iot-research.example/2023/cameras", "tag:psirt.acme.example,2025:ACME-2025-0001", "tag:psirt.acme.example,2025:ACME-2025-0002"]);
      expect(first.records[0]!.origin).toBe(`${server.base}/blog.rss#item[1]`);
      expect(first.cursor).toEqual({
        [`etag ${server.base}/blog.rss`]: '"r1"',
        [`newest ${server.base}/blog.rss`]: "2023-05-03T08:00:00.000Z",
        [`lastModified ${server.base}/psirt.atom`]: "Sun, 02 Mar 2025 00:00:00 GMT",
        [`newest ${server.base}/psirt.atom`]: "2025-03-02T00:00:00.000Z",
      });
      expect(first.checkpoints).toHaveLength(2);
      expect(ctx.lines.some((l) => l.level === 40 && l.url === `${server!.base}/gone.rss`)).toBe(true);

      const second = await drain(source, first.cursor, ctx);
      expect(second.records).toEqual([]);
      expect(second.cursor).toEqual(first.cursor);

      // The blog gets a new post and a new ETag: only the new post comes.
      const newer = rssText.replace("<item>", `<item><title>New</title><guid>post-102</guid><pubDate>Thu, 01 Jun 2023 00:00:00 GMT</pubDate><description>CVE-2023-9999</description></item>\n    <item>`);
      server.routes.set("/blog.rss", { body: newer, etag: '"r2"', type: "application/rss+xml" });
      const third = await drain(source, first.cursor, ctx);
      expect(third.records.map((r) => r.id)).toEqual(["post-102"]);
      expect(third.cursor[`newest ${server.base}/blog.rss`]).toBe("2023-06-01T00:00:00.000Z");
    });

    it("asks for feeds when none are configured, and refuses what is not a URL", async () => {
      await expect(drain(source, undefined, testContext())).rejects.toThrow(/rss: no feeds configured/);
      await expect(drain(source, undefined, testContext({ feeds: "file:///etc/passwd" }))).rejects.toThrow(/is not an http\(s\) feed URL/);
    });
  });
});

describe("rss feed splitting", () => {
  it("splits a 5,000-item feed into 5,000 one-item documents that each parse", async () => {
    const { splitFeed } = await import("../../../src/vulndb/sources/rss/fetch.js");
    const items = Array.from({ length: 5000 }, (_, i) => ({ guid: `g${i}`, date: "Tue, 25 Apr 2023 14:30:00 GMT", text: `CVE-2023-${String(10000 + i)}` }));
    const raws = splitFeed(rssFeed(items), "big.xml", "2025-01-01T00:00:00.000Z");
    expect(raws).toHaveLength(5000);
    expect(raws[4999]!.body.match(/<item>/g)).toHaveLength(1);
    expect(source.parse(raws[4999]!)[0]!.exploits).toEqual(["CVE-2023-14999"]);
  });
});
