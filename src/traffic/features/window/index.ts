export { WindowFeatureExtractor, dominantPeriod, fnv1a, type WindowRecord } from "./window.js";
export { APPS, SIZE_BIN_EDGES, WINDOW_FEATURE_VERSION, windowFeatureNames, windowFeatureSpec, type WindowFeatureOptions } from "./spec.js";
