/**
 * The hand-written HTTP/1.1 response framing: heads, Content-Length, chunked and read-until-close.
 */
import { describe, expect, it } from "vitest";
import { bodyFraming, buildHttpPost, ChunkedFramer, createHeadFramer, headerValue, parseHttpHead } from "../../../../src/scan/modules/ipp/index.js";

const head = (text: string) => parseHttpHead(Buffer.from(text));

describe("HTTP response heads", () => {
  it("frames at the blank line, CRLF or bare LF, and waits for more before it", () => {
    const f = createHeadFramer();
    expect(f(Buffer.from("HTTP/1.1 200 OK\r\nA: b\r\n"))).toBeUndefined();
    expect(f(Buffer.from("HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody"))).toBe(25);
    expect(createHeadFramer()(Buffer.from("HTTP/1.0 200 OK\n\nbody"))).toBe(17);
    expect(createHeadFramer()(Buffer.from("HT"))).toBeUndefined();
    expect(() => createHeadFramer()(Buffer.from("HX"))).toThrow(/not an HTTP response/);
  });

  it("parses status, reason, headers (lower-cased, repeated, folded)", () => {
    const h = head("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"p\"\r\nX-A: 1\r\nx-a: 2\r\nX-Fold: a\r\n  b\r\nnot a header\r\n");
    expect(h).toMatchObject({ http_version: "1.1", status: 401, reason: "Unauthorized" });
    expect(headerValue(h, "www-authenticate")).toBe('Basic realm="p"');
    expect(headerValue(h, "x-a")).toBe("1, 2");
    expect(headerValue(h, "x-fold")).toBe("a b");
    expect(head("HTTP/1.1 200\r\n").reason).toBe("");
  });

  it("chooses the body framing as RFC 9112 §6.3 says", () => {
    expect(bodyFraming(head("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n"))).toEqual({ kind: "length", length: 12 });
    expect(bodyFraming(head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 12\r\n"))).toEqual({ kind: "chunked" });
    expect(bodyFraming(head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"))).toEqual({ kind: "close" });
    expect(bodyFraming(head("HTTP/1.1 200 OK\r\n"))).toEqual({ kind: "close" });
    expect(bodyFraming(head("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n"))).toEqual({ kind: "none" });
    expect(bodyFraming(head("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n"))).toEqual({ kind: "length", length: 3 });
    expect(() => bodyFraming(head("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n"))).toThrow(/invalid Content-Length/);
  });
});

describe("chunked bodies", () => {
  it("frames and reassembles incrementally, trailers included", () => {
    const full = Buffer.from("5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nT: 1\r\n\r\nNEXT");
    const f = new ChunkedFramer(1000);
    expect(f.frame(full.subarray(0, 6))).toBeUndefined();
    expect(f.body(full.subarray(0, 6)).toString()).toBe("hel");
    const n = f.frame(full);
    expect(n).toBe(full.length - 4);
    expect(f.body(full).toString()).toBe("hello world");
  });

  it("refuses a chunk whose data does not end where its size says, and sizes past the cap", () => {
    expect(() => new ChunkedFramer(1000).frame(Buffer.from("3\r\nhello\r\n"))).toThrow(/does not end where its size \(3\) says/);
    expect(() => new ChunkedFramer(1000).frame(Buffer.from("3e9\r\n"))).toThrow(/larger than 1000/);
    expect(() => new ChunkedFramer(1000).frame(Buffer.from("123456789\r\n"))).toThrow(/malformed chunk-size/);
  });
});

describe("the request", () => {
  it("is an HTTP/1.1 POST with Host, Content-Type, Content-Length, identity encoding and Connection: close", () => {
    const req = buildHttpPost({ path: "/ipp/print", host: "[::1]:631", userAgent: "ua", contentType: "application/ipp", body: Buffer.from([1, 2]) });
    expect(req.toString("latin1")).toBe(
      "POST /ipp/print HTTP/1.1\r\nHost: [::1]:631\r\nUser-Agent: ua\r\nContent-Type: application/ipp\r\nContent-Length: 2\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n\x01\x02",
    );
  });
});
