export * from "./afterimage/index.js";
export * from "./window/index.js";
