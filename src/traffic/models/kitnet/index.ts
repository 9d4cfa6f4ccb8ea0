export { Autoencoder, type AutoencoderState } from "./autoencoder.js";
export { CorrelationMapper, clusterByDistance } from "./feature-mapper.js";
export { KitNET, type KitNetOptions, type KitNetPhase } from "./kitnet.js";
export { kitnetFromModelFile, kitnetToModelFile, loadKitnetModel, saveKitnetModel, scoreSummary, type KitnetModel } from "./model.js";
export { fitThreshold, quantile, type Threshold, type ThresholdSpec } from "./threshold.js";
