/** The default classifier: src/vulndb/iot's, on the records of the entry, with the registered IoT-dense sources. */
import { classifyRecords, registeredIotDenseSources } from "../iot/index.js";
import type { Classifier } from "./correlate.js";

let dense: ReadonlySet<string> | undefined;

export const defaultClassifier: Classifier = (_entry, records) => classifyRecords(records, (dense ??= registeredIotDenseSources()));
