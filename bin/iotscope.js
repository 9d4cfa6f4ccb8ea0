#!/usr/bin/env node
// Entry point of the installed CLI: runs the compiled code (built by `npm ci` through the prepare script).
import("../dist/cli/main.js").catch((err) => {
  if (err && err.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("dist/cli/main.js")) {
    process.stderr.write("iotscope: the compiled code is missing; run `npm run build` (or `npm ci`) first\n");
    process.exit(2);
  }
  throw err;
});
