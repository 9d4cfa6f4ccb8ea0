/** Translator selection from IOTSCOPE_TRANSLATOR (and its companions). */
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/core/errors.js";
import { CommandTranslator, LibreTranslateTranslator, translatorFromConfig, translatorFromEnv } from "../../../src/vulndb/translate/index.js";

describe("translatorFromConfig", () => {
  it("none, empty and unset mean no translator", () => {
    for (const spec of [undefined, "", "none", "off"]) expect(translatorFromConfig(spec)).toBeUndefined();
  });

  it("libretranslate:URL", () => {
    const t = translatorFromConfig("libretranslate:http://127.0.0.1:5000", { apiKey: "secret" });
    expect(t).toBeInstanceOf(LibreTranslateTranslator);
    expect(t!.name).toBe("libretranslate@127.0.0.1:5000");
    expect(t!.name).not.toContain("secret");
  });

  it("argos and command: (words or a JSON array)", () => {
    expect(translatorFromConfig("argos")!.name).toBe("command:argos-translate");
    expect(translatorFromConfig("command:/opt/mt/translate --src {from}")).toBeInstanceOf(CommandTranslator);
    expect(translatorFromConfig('command:["/opt/my mt/run", "{from}"]')!.name).toBe("command:run");
  });

  it("mistakes are UsageErrors that say what to write", () => {
    expect(() => translatorFromConfig("deepl:xyz")).toThrow(UsageError);
    expect(() => translatorFromConfig("deepl:xyz")).toThrow(/use libretranslate:URL, argos, command:PROGRAM/);
    expect(() => translatorFromConfig("libretranslate:127.0.0.1:5000")).toThrow(/needs an http\(s\) URL/);
    expect(() => translatorFromConfig("command:")).toThrow(/needs a program/);
    expect(() => translatorFromConfig("command:[1,2]")).toThrow(/non-empty array of strings/);
  });

  it("reads the environment", () => {
    expect(translatorFromEnv({})).toBeUndefined();
    expect(translatorFromEnv({ IOTSCOPE_TRANSLATOR: "libretranslate:https://mt.example.org", IOTSCOPE_TRANSLATOR_API_KEY: "k" })!.name).toBe("libretranslate@mt.example.org");
    expect(() => translatorFromEnv({ IOTSCOPE_TRANSLATOR: "argos", IOTSCOPE_TRANSLATOR_TIMEOUT_MS: "soon" })).toThrow(/IOTSCOPE_TRANSLATOR_TIMEOUT_MS/);
  });
});
