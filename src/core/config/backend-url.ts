import type { BackendAddress, HostPort } from "./types.ts";

const DEFAULT_PORT = 3306;
const DEFAULT_USER = "root";
const URL_SHAPE = "mysql://user:password@host:port/database";

/**
 * Parses `mysql://user:password@host:port/database?opt=val`.
 *
 * Error messages never repeat the URL: it usually carries a password and ends up in logs.
 */
export function parseBackendUrl(url: string): BackendAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`invalid backend URL: not a valid URL (expected ${URL_SHAPE}; percent-encode special characters in the password)`);
  }
  if (parsed.protocol !== "mysql:") {
    throw new Error(`invalid backend URL: scheme must be "mysql:", not "${parsed.protocol}"`);
  }
  // `mysql` is not a WHATWG special scheme, so the host is opaque and kept as written.
  const host = stripBrackets(parsed.hostname);
  if (host === "") throw new Error(`invalid backend URL: missing host (expected ${URL_SHAPE})`);
  if (parsed.hash !== "") {
    throw new Error('invalid backend URL: unexpected "#" fragment (percent-encode "#" in a password as %23)');
  }
  const port = parsed.port === "" ? DEFAULT_PORT : Number(parsed.port);
  if (port === 0) throw new Error("invalid backend URL: port 0 cannot be connected to");
  const user = decode(parsed.username, "user");
  const password = decode(parsed.password, "password");

  const path = parsed.pathname;
  let database: string | undefined;
  if (path !== "" && path !== "/") {
    const name = decode(path.slice(1), "database");
    if (name.includes("/")) throw new Error('invalid backend URL: the database name must not contain "/"');
    database = name;
  }

  const options: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of parsed.searchParams) options[key] = value;

  // `tls` needs the CA file read: load-config fills it in from `options`.
  return { host, port, user: user === "" ? DEFAULT_USER : user, password, database, options };
}

/**
 * Parses a listen address `host:port`; IPv6 hosts are bracketed (`[::1]:15306`). Port 0 is allowed
 * (the runtime picks a free port). Throws a plain Error describing the problem.
 */
export function parseHostPort(text: string): HostPort {
  const shape = "expected host:port (e.g. 127.0.0.1:15306 or [::1]:15306)";
  let host: string;
  let portText: string;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0 || text[close + 1] !== ":") throw new Error(shape);
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (!host.includes(":")) throw new Error(`${shape}; brackets are for IPv6 addresses only`);
  } else {
    const colon = text.lastIndexOf(":");
    if (colon < 0) throw new Error(shape);
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(":")) throw new Error(`${shape}; write IPv6 addresses in brackets`);
  }
  if (host === "" || /\s/.test(host)) throw new Error(shape);
  if (!/^\d{1,5}$/.test(portText)) throw new Error(shape);
  const port = Number(portText);
  if (port > 65535) throw new Error(`port ${port} is out of range 0..65535`);
  return { host, port };
}

function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new Error(`invalid backend URL: bad percent-encoding in the ${what}`);
  }
}
