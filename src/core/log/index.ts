export { createLogger, silentLogger, type Logger } from "./logger.js";
export { createProgress, renderBar, type Progress, type ProgressOptions, type ProgressSnapshot } from "./progress.js";
