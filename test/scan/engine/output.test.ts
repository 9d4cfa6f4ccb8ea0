import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildRecord, jsonSafe } from "../../../src/scan/engine/output.js";
import { scanRecordJsonSchema, scanRecordSchema } from "../../../src/scan/engine/record-schema.js";
import { repoRoot } from "../../helpers/fixtures.js";

const schemaFile = path.join(repoRoot, "docs/schemas/scan-result.schema.json");

describe("result records", () => {
  it("have ZGrab2's layout plus the flat fields, and match the published schema", () => {
    const r = buildRecord(
      { ip: "192.0.2.1", v: 4, port: 5683, domain: "cam.example" },
      "coap",
      { status: "protocol-error", result: { raw: Buffer.from("hi"), big: 2n ** 70n, when: new Date(0) }, error: "bad option" },
      "2024-05-01T12:00:00.000Z",
    );
    expect(r).toEqual({
      ip: "192.0.2.1",
      port: 5683,
      domain: "cam.example",
      module: "coap",
      status: "protocol-error",
      timestamp: "2024-05-01T12:00:00.000Z",
      data: {
        coap: {
          status: "protocol-error",
          protocol: "coap",
          timestamp: "2024-05-01T12:00:00.000Z",
          result: { raw: "aGk=", big: "1180591620717411303424", when: "1970-01-01T00:00:00.000Z" },
          error: "bad option",
        },
      },
    });
    expect(scanRecordSchema.safeParse(JSON.parse(JSON.stringify(r))).success).toBe(true);
    expect(scanRecordSchema.safeParse({ ...r, port: 0 }).success).toBe(false);
  });

  it("survives odd module results: cycles, maps, sets, functions, non-finite numbers", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(jsonSafe({ cyclic, m: new Map([[1, "x"]]), s: new Set([1]), f: () => 1, n: Number.NaN })).toEqual({
      cyclic: { a: 1, self: "[unserialisable: cycle or too deep]" },
      m: { "1": "x" },
      s: [1],
      n: "NaN",
    });
  });

  it("docs/schemas/scan-result.schema.json is the schema the code validates with", () => {
    const generated = `${JSON.stringify(scanRecordJsonSchema(), null, 2)}\n`;
    if (process.env.IOTSCOPE_UPDATE_SCHEMAS === "1") writeFileSync(schemaFile, generated);
    // On a mismatch, regenerate: IOTSCOPE_UPDATE_SCHEMAS=1 npx vitest run test/scan/engine/output.test.ts
    expect(readFileSync(schemaFile, "utf8")).toBe(generated);
  });
});
