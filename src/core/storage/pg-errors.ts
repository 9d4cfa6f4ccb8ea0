/** Turning pg's connection errors into one-line messages that say what to do. */
import { describeError } from "../errors.js";

const HINT = "check --db or IOTSCOPE_DB";

/** The reason and hint part of "cannot connect to PostgreSQL at URL: <this>". */
export function describePgConnectError(err: unknown, database: string, user: string): string {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case "ECONNREFUSED":
      return `connection refused (is the server running? ${HINT})`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `host not found (${HINT})`;
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `host unreachable (is the server up and the port open? ${HINT})`;
    case "3D000":
      return `database "${database}" does not exist (create it, e.g. \`createdb ${database}\`, or ${HINT})`;
    case "28P01":
    case "28000":
      // 28000 also covers "role does not exist" and pg_hba.conf rejections; the server's text says which.
      return `authentication failed for user "${user}": ${oneLine(describeError(err))} (${HINT})`;
    case "42501":
      return `permission denied: ${oneLine(describeError(err))} (grant the user CREATE on the database, or ${HINT})`;
  }
  const message = oneLine(describeError(err));
  // pg's own wording when connectionTimeoutMillis expires.
  if (/timeout/i.test(message)) return `connection timed out (is the server reachable? ${HINT})`;
  // Node reports a failed connect to a name with several addresses as an AggregateError with no message.
  if (message === "" && err instanceof AggregateError) return describePgConnectError(err.errors[0], database, user);
  return `${message || "unknown error"} (${HINT})`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
