/** Naming a record in a parse error: every parser's `fail("why")` builds a SourceParseError the same way. */
import { SourceParseError, type RawRecord } from "../types.js";

/** Where a problem is: what a SourceParseError names. A RawRecord is one. */
export type RecordPlace = Pick<RawRecord, "source" | "id" | "origin">;

export type Fail = (reason: string) => SourceParseError;

export function failFor(place: RecordPlace): Fail {
  return (reason) => new SourceParseError(place.source, place.id, place.origin, reason);
}
