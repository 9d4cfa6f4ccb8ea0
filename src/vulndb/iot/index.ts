/**
 * IoT relevance of vulnerabilities: the device catalogue (data in catalogue/) and the classifier.
 * The vulndb core re-exports this from src/vulndb/index.ts.
 */
export { classify, matchFamilies, vendorsInText, type Classification, type ClassifyAffected, type ClassifyInput } from "./classify.js";
export { classifyRecords, inputFromRecords } from "./records.js";
export { registeredIotDenseSources } from "./dense.js";
export {
  compileCatalogue,
  defaultCatalogue,
  defaultCatalogueDir,
  loadCatalogue,
  type Catalogue,
  type CatalogueExample,
  type DeviceTypeEntry,
  type FamilyEntry,
  type VendorEntry,
} from "./catalogue.js";
export { productsFromCsafTree } from "./csaf.js";
export { IOT_THRESHOLD, PACKAGE_ONLY_FACTOR, WEIGHTS } from "./weights.js";
