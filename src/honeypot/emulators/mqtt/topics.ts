/**
 * Topic names and filters (MQTT 3.1.1 §4.7): validation and wildcard matching. Hand-written: it is the
 * dozen lines of the specification, and the broker libraries that have it (aedes's qlobber) bring a
 * whole message router with them.
 */

/** A valid topic filter: `#` only as the last level, `+` only as a whole level, not empty. */
export function isValidFilter(filter: string): boolean {
  if (filter.length === 0 || filter.includes("\u0000")) return false;
  const levels = filter.split("/");
  return levels.every((level, i) => {
    if (level.includes("#")) return level === "#" && i === levels.length - 1;
    if (level.includes("+")) return level === "+";
    return true;
  });
}

/** A valid topic name for PUBLISH: no wildcards, not empty. */
export function isValidTopic(topic: string): boolean {
  return topic.length > 0 && !topic.includes("+") && !topic.includes("#") && !topic.includes("\u0000");
}

/** Does `filter` match `topic`? Topics starting with `$` are not matched by a leading wildcard (§4.7.2). */
export function matches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  if (topic.startsWith("$") && (f[0] === "#" || f[0] === "+")) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
