export { AfterImage, sockets, dampedVariance, type AfterImageOptions } from "./afterimage.js";
export { AFTERIMAGE_FEATURE_COUNT, AFTERIMAGE_FEATURE_NAMES, AFTERIMAGE_LAMBDAS, afterImageSpec } from "./spec.js";
export { StreamTable } from "./table.js";
