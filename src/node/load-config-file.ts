import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseConfig } from "../core/config/load-config.ts";
import type { Config } from "../core/config/types.ts";

/** Reads and validates a config file; `${VAR}` comes from the process environment. */
export function loadConfigFile(path: string): Config {
  const absolute = resolve(path);
  return parseConfig(readFileSync(absolute, "utf8"), {
    env: process.env,
    readFile: (file) => readFileSync(resolve(dirname(absolute), file), "utf8"),
    baseDir: dirname(absolute),
    fileName: absolute,
  });
}

export function parseConfigText(text: string): Config {
  return parseConfig(text, { env: process.env, readFile: (file) => readFileSync(file, "utf8"), baseDir: process.cwd() });
}
