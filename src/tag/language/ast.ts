/**
 * What the parser produces: rules as plain data with file offsets on every node (for errors and lint),
 * and the regexes already compiled by re2 (a pattern re2 refuses is a load error, found while parsing).
 */
import type RE2 from "re2";
import type { CidrSet } from "../../core/net/index.js";
import type { RegexInfo } from "./regex-info.js";
import type { LineColumn } from "./source.js";

export const ruleStates = ["active", "testing", "disabled"] as const;
export type RuleState = (typeof ruleStates)[number];

/** The object kinds rules are written for; scan modules registered later are accepted too. */
export const builtinKinds = ["x509", "tls", "mqtt", "coap", "ipp", "http", "telnet", "any"] as const;

/**
 * Fields of the scan record around a result, reachable as `$name` paths (`$port = 8443`). A bare
 * certificate has none of them, so such a test never matches it.
 */
export const envelopeFields = ["ip", "port", "domain", "module", "status", "timestamp"] as const;

export const operators = [
  "=",
  "!=",
  "~=",
  "=~",
  "!~",
  "contains",
  "startswith",
  "endswith",
  "icontains",
  "istartswith",
  "iendswith",
  "in",
  "<",
  "<=",
  ">",
  ">=",
  "exists",
] as const;
export type Operator = (typeof operators)[number];

export type Scalar = string | number | boolean;

export interface PathRef {
  /** Canonical text: `subject.common_name`, `a[0].b`, `attributes."x.y"`, `$port`. */
  text: string;
  offset: number;
  /** A `$name` path into the record around the result. */
  envelope: boolean;
  /** Names and `[N]` indexes, in order. For an envelope path, the one field name. */
  segments: (string | number)[];
}

export interface RegexLiteral {
  /** The pattern between the slashes, as written (re2 reads `\/` as `/`). */
  source: string;
  flags: string;
  offset: number;
  re: RE2;
  info: RegexInfo;
}

export type TestValue =
  | { type: "scalar"; value: Scalar; offset: number }
  | { type: "regex"; regex: RegexLiteral }
  | { type: "list"; values: Scalar[]; cidrs: string[]; cidrSet: CidrSet | undefined; offset: number }
  | { type: "none" };

/** `implicit`: a bare path (any element); `any(…)` and `all(…)` as written. */
export type Quantifier = "implicit" | "any" | "all";

export interface TestNode {
  type: "test";
  quantifier: Quantifier;
  path: PathRef;
  op: Operator;
  opOffset: number;
  value: TestValue;
  offset: number;
}

export type Condition =
  | { type: "and"; items: Condition[]; offset: number }
  | { type: "or"; items: Condition[]; offset: number }
  | { type: "not"; item: Condition; offset: number }
  | TestNode;

/** A tag value: literal text and `${1}` / `${name}` capture references. */
export type TemplatePart = string | { capture: number | string };

export interface TagTemplate {
  key: string;
  /** The value as written, e.g. `RT-${1}`. */
  raw: string;
  parts: TemplatePart[];
  offset: number;
}

export interface Example {
  kind: "match" | "nomatch";
  /** The object the rule sees; `$name` keys set the envelope (`{"$port": 8443, …}`). */
  value: Record<string, unknown>;
  offset: number;
  line: number;
  /** `expect key="value"` after a match example: values the rule must produce. */
  expect?: Record<string, string>;
}

export interface Rule {
  name: string;
  /** The file as the user named it (in error messages). */
  file: string;
  /** The file relative to the rules directory (in tag provenance: stable across machines). */
  fileName: string;
  line: number;
  offset: number;
  description: string;
  group: string;
  order: number;
  state: RuleState;
  appliesTo: string[];
  when: Condition;
  whenOffset: number;
  tags: TagTemplate[];
  tagOffset: number;
  examples: Example[];
  references: string[];
  /** First 16 hex digits of the SHA-256 of the rule's text: which version of the rule said something. */
  hash: string;
  /** Line and column of a file offset (node offsets), for lint findings. */
  at(offset: number): LineColumn;
}
