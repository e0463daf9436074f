/** Reads and validates a config file through the runtime's file access; `${VAR}` from its environment. */
import { parseConfig } from "../core/config/load-config.ts";
import type { Config } from "../core/config/types.ts";
import type { Runtime } from "./runtime.ts";

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:[\\/]/.test(path);
}

function directoryOf(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut <= 0 ? path.slice(0, cut + 1) || "." : path.slice(0, cut);
}

export function loadConfigFile(runtime: Runtime, path: string): Config {
  const absolute = isAbsolute(path) ? path : `${runtime.cwd().replace(/[\\/]+$/, "")}/${path.replace(/^(\.[\\/])+/, "")}`;
  const baseDir = directoryOf(absolute);
  // Section files (`topology: ./topology.yaml`) arrive already joined to baseDir by the core.
  return parseConfig(runtime.readTextFile(absolute), { env: runtime.env, readFile: (file) => runtime.readTextFile(file), baseDir, fileName: absolute });
}

/** A config given as text (the sandbox's); relative section paths would resolve against the cwd. */
export function parseConfigText(runtime: Runtime, text: string): Config {
  return parseConfig(text, { env: runtime.env, readFile: (file) => runtime.readTextFile(file), baseDir: runtime.cwd() });
}
