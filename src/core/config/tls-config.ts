/**
 * TLS settings of the config: `listen.tls` (the gateway's certificate for clients) and a backend URL's
 * `ssl-mode` / `ssl-ca` query parameters (MySQL client semantics). The files are read here, at config
 * load, through the `ConfigSource` reader, so the normalized config carries the PEM text itself.
 */
import type { IssueList, PathSegment } from "./config-error.ts";
import type { RawConfig } from "./schema.ts";
import { SSL_MODES, type BackendTls, type ConfigFileReader, type ListenTls, type SslMode } from "./types.ts";

/** Backend URL query parameters about TLS that the gateway understands; other `ssl-*` ones are refused. */
const BACKEND_TLS_OPTIONS = new Set(["ssl-mode", "ssl-ca"]);

export function buildListenTls(raw: RawConfig["listen"]["tls"], readFile: ConfigFileReader, issues: IssueList): ListenTls | undefined {
  if (raw === undefined || raw === null) return undefined;
  const path = ["listen", "tls"];
  const cert = readPem(raw.cert, [...path, "cert"], readFile, issues);
  const key = readPem(raw.key, [...path, "key"], readFile, issues);
  const ca = raw.ca === undefined ? undefined : readPem(raw.ca, [...path, "ca"], readFile, issues);
  return { cert, key, ca, require: raw.require };
}

/**
 * `ssl-mode` (case-insensitive, as the mysql client takes it); without it, VERIFY_CA when `ssl-ca` is
 * given (as the mysql client does) and DISABLED otherwise (the mysql client's default is PREFERRED:
 * the gateway does not encrypt to backends unless asked).
 */
export function buildBackendTls(
  options: Record<string, string>,
  readFile: ConfigFileReader,
  path: PathSegment[],
  issues: IssueList,
): BackendTls {
  for (const key of Object.keys(options)) {
    if (key.startsWith("ssl-") && !BACKEND_TLS_OPTIONS.has(key)) {
      issues.add(path, `unsupported backend URL option "${key}" (supported: ${[...BACKEND_TLS_OPTIONS].join(", ")})`);
    }
  }
  const caPath = options["ssl-ca"];
  const written = options["ssl-mode"];
  let mode: SslMode = caPath === undefined ? "DISABLED" : "VERIFY_CA";
  if (written !== undefined) {
    const upper = written.toUpperCase();
    if ((SSL_MODES as readonly string[]).includes(upper)) mode = upper as SslMode;
    else issues.add(path, `invalid ssl-mode "${written}" (expected one of ${SSL_MODES.join(", ")})`);
  }
  if (caPath === "") issues.add(path, "ssl-ca must not be empty");
  const ca = caPath === undefined || caPath === "" ? undefined : readPem(caPath, path, readFile, issues, "ssl-ca ");
  if (ca !== undefined && (mode === "DISABLED" || mode === "PREFERRED" || mode === "REQUIRED")) {
    issues.add(path, `ssl-ca is only used with ssl-mode=VERIFY_CA or VERIFY_IDENTITY, not ${mode}`);
  }
  return { mode, ca };
}

function readPem(file: string, path: PathSegment[], readFile: ConfigFileReader, issues: IssueList, what = ""): string {
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    issues.add(path, `cannot read ${what}file "${file}": ${error instanceof Error ? error.message : String(error)}`);
    return "";
  }
  if (!text.includes("-----BEGIN ")) issues.add(path, `${what}file "${file}" is not PEM (no "-----BEGIN" line)`);
  return text;
}
