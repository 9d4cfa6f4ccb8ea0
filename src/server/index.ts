export { buildServer, type ServerDeps } from "./app.js";
export { buildCollectorServer, type CollectorOptions, type CollectorServerOptions } from "./routes/honeypot.js";
