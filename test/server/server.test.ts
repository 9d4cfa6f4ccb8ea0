import { expect, it } from "vitest";
import { buildServer } from "../../src/server/index.js";
import { describeEachBackend } from "../helpers/db.js";

describeEachBackend("HTTP server", (open) => {
  it("answers /healthz with the database it runs on", async () => {
    const storage = await open();
    const app = await buildServer({ storage });
    try {
      const res = await app.inject({ method: "GET", url: "/healthz" });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: "ok", db: storage.dialect });
    } finally {
      await app.close();
      await storage.close();
    }
  });

  it("answers 503 on /healthz when the database is gone", async () => {
    const storage = await open();
    const app = await buildServer({ storage });
    await storage.close();
    try {
      const res = await app.inject({ method: "GET", url: "/healthz" });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: "unavailable" });
    } finally {
      await app.close();
    }
  });

  it("publishes an OpenAPI 3.1 document that describes /healthz", async () => {
    const storage = await open();
    const app = await buildServer({ storage });
    try {
      const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json() as {
        openapi: string;
        info: { title: string };
        paths: Record<string, { get?: { responses: Record<string, unknown> } }>;
      };
      expect(doc.openapi).toBe("3.1.0");
      expect(doc.info.title).toBe("iotscope API");
      expect(Object.keys(doc.paths["/healthz"]!.get!.responses)).toEqual(["200", "503"]);
      expect(doc.paths["/"]).toBeUndefined();
    } finally {
      await app.close();
      await storage.close();
    }
  });

  it("serves a home page that names the pillars", async () => {
    const storage = await open();
    const app = await buildServer({ storage });
    try {
      const res = await app.inject({ method: "GET", url: "/" });
      expect(res.headers["content-type"]).toContain("text/html");
      for (const title of ["Scan", "Tag", "Share", "Honeypots", "Vulnerabilities", "Traffic", "Malware"]) expect(res.body).toContain(title);
    } finally {
      await app.close();
      await storage.close();
    }
  });
});
