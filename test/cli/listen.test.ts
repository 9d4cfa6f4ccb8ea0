import { describe, expect, it } from "vitest";
import { parseListen } from "../../src/cli/listen.js";

describe("listen address", () => {
  it.each([
    ["127.0.0.1:8080", "127.0.0.1", 8080],
    ["0.0.0.0:80", "0.0.0.0", 80],
    ["[::1]:9000", "::1", 9000],
    [":8081", "127.0.0.1", 8081],
    ["8082", "127.0.0.1", 8082],
    ["localhost:0", "localhost", 0],
  ])("parses %s", (text, host, port) => {
    expect(parseListen(text)).toEqual({ host, port });
  });

  it.each(["", "127.0.0.1", "host:port", "1.2.3.4:70000", "[::1]", "::1:80"])("rejects %j with a fix-it message", (text) => {
    expect(() => parseListen(text)).toThrow(/invalid listen address .*HOST:PORT/);
  });
});
