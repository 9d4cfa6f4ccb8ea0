export { buildServer, type ServerDeps } from "./app.js";
