import YAML from "yaml";
import { ConfigError } from "../config/config-error.ts";

/** A request body as data: JSON, or YAML with `Content-Type: application/yaml` (or text/yaml). */
export async function readBody(request: Request): Promise<unknown> {
  const type = (request.headers.get("content-type") ?? "application/json").toLowerCase();
  const text = await request.text();
  if (text.trim() === "") throw new ConfigError([{ path: "(body)", message: "the request has no body" }]);
  try {
    if (type.includes("yaml")) return YAML.parse(text, { stringKeys: true, uniqueKeys: true });
    return JSON.parse(text);
  } catch (error) {
    const what = type.includes("yaml") ? "YAML" : "JSON";
    throw new ConfigError([{ path: "(body)", message: `invalid ${what}: ${error instanceof Error ? error.message : String(error)}` }]);
  }
}
