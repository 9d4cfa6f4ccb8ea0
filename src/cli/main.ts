#!/usr/bin/env node
// The executable: everything lives in run.ts so tests and other entry points can call it.
import { run } from "./run.js";

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`iotscope: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
