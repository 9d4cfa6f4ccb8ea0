/**
 * Credentials in a request: HTTP Basic, and the form fields (urlencoded or JSON body, or the query
 * string) that device logins and the bots that attack them use. Only what was sent is extracted;
 * nothing is checked against anything.
 */
const userFields = ["username", "user", "usr", "uname", "user_name", "userid", "user_id", "login", "loginuser", "login_user", "account", "admin_name", "name", "j_username", "log", "usrname"];
const passFields = ["password", "pass", "pwd", "passwd", "psd", "pw", "loginpass", "login_pass", "user_password", "userpwd", "admin_pwd", "j_password", "pswd", "secret"];

export interface Credentials {
  username?: string;
  password?: string;
  /** basic, form, json or query. */
  source: string;
}

export function basicCredentials(authorization: string | undefined): Credentials | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? "");
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? { username: decoded, source: "basic" } : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source: "basic" };
}

/** Credentials from a body (by content type) or a query string; undefined when no password-like field. */
export function fieldCredentials(contentType: string | undefined, body: Buffer, query: string): Credentials | undefined {
  const fromBody = /json/i.test(contentType ?? "") ? fromJson(body) : /x-www-form-urlencoded/i.test(contentType ?? "") || !contentType ? fromPairs(new URLSearchParams(body.toString("latin1")), "form") : undefined;
  return fromBody ?? (query ? fromPairs(new URLSearchParams(query), "query") : undefined);
}

function pick(entries: Iterable<[string, string]>, source: string): Credentials | undefined {
  let username: string | undefined;
  let password: string | undefined;
  for (const [k, v] of entries) {
    const key = k.toLowerCase();
    if (username === undefined && userFields.includes(key)) username = v;
    if (password === undefined && passFields.includes(key)) password = v;
  }
  return password !== undefined ? { username, password, source } : undefined;
}

function fromPairs(params: URLSearchParams, source: string): Credentials | undefined {
  return pick(params.entries(), source);
}

function fromJson(body: Buffer): Credentials | undefined {
  try {
    const value: unknown = JSON.parse(body.toString("utf8"));
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    const entries = Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string");
    return pick(entries, "json");
  } catch {
    return undefined;
  }
}
