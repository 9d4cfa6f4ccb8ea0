/** The sensor's public surface (re-exported by the pillar's index.ts). */
export { loadSensorConfig, parseSensorConfig, sensorConfigSchema, type SensorConfig } from "./config.js";
export { defaultPersonasDir, listPersonas, loadPersona, loadPersonaFile } from "./personas.js";
export { startSensor, type RunningSensor, type SensorOptions, type SensorStats } from "./sensor.js";
export { uuidv7 } from "./uuid7.js";
export { Spool, type SpoolBatch, type SpoolStats } from "../spool/spool.js";
export { emulators } from "../emulators/registry.js";
