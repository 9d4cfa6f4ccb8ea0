export * from "./model-file.js";
export { mulberry32 } from "./prng.js";
