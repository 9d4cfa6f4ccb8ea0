/**
 * Signal weights of the IoT classifier (docs/vulndb-iot.md explains each). Signals combine as
 * independent evidence: score = 1 − Π(1 − w) over the distinct signals found, so the order of records
 * and fields never changes the score, and no single weak signal reaches the threshold on its own.
 */
export const WEIGHTS = {
  /** A CPE with part h (hardware) whose vendor/product is known. */
  hardwareCpe: 0.9,
  /** An o-part CPE whose product ends in `_firmware`. */
  firmwareCpe: 0.85,
  /** An h CPE and an o `<same product>_firmware` CPE of the same vendor. */
  hardwareFirmwarePair: 0.95,
  /** A product name (CPE product, affected product, CSAF product tree) matches a catalogue family. */
  family: 0.8,
  /** The vendor (CPE vendor, affected vendor, vendor named in a product string) makes only devices. */
  deviceVendor: 0.6,
  /** The vendor makes devices among other things (Siemens, HP, Cisco …). */
  mixedVendor: 0.15,
  /** A device vendor named in a description (whole word, not an ambiguous name). */
  vendorInDescription: 0.3,
  /** A catalogue family's model name in a description ("DIR-859", "Archer C7"). */
  familyInDescription: 0.5,
  /** A device-type keyword in a description ("router", "カメラ"); at most two types count. */
  descriptionType: 0.3,
  /** A generic embedded-device word in a description ("firmware", "ファームウェア"). */
  descriptionGeneric: 0.2,
  /** Reported by a source whose meta says `iotDense`. */
  iotDenseSource: 0.3,
  /** An exploit database files it under platform "hardware" (Exploit-DB). */
  hardwarePlatform: 0.7,
} as const;

/** At or above: IoT. */
export const IOT_THRESHOLD = 0.5;

/**
 * Applied to the score when every affected entry is a software package (OSV ecosystem: npm, Maven, …)
 * and no CPE says hardware or firmware: packages are libraries, whatever their description mentions.
 */
export const PACKAGE_ONLY_FACTOR = 0.4;

/** Description-type keywords counted at most for this many distinct device types. */
export const MAX_DESCRIPTION_TYPES = 2;
