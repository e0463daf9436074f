import { createAdminApp } from "../../src/core/admin/admin-app.ts";
import type { Gateway } from "../../src/core/gateway.ts";
import { testServeHttp } from "./runtime.ts";

export interface AdminClient {
  url: string;
  request(method: string, path: string, options?: { token?: string; body?: unknown; yaml?: string }): Promise<{ status: number; text: string; json: any }>;
  close(): Promise<void>;
}

/**
 * Serves the gateway's admin API over real HTTP on a free port, with the current runtime's server
 * (as its entrypoint would: Bun.serve, Deno.serve, @hono/node-server), and calls it with fetch.
 */
export async function serveAdmin(gateway: Gateway): Promise<AdminClient> {
  const app = createAdminApp(gateway);
  const server = await testServeHttp("127.0.0.1", 0, app.fetch);
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = {};
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.yaml !== undefined) {
        headers["content-type"] = "application/yaml";
        body = options.yaml;
      } else if (options.body !== undefined) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(options.body);
      }
      const response = await fetch(url + path, { method, headers, body });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, text, json };
    },
    close: () => server.close(),
  };
}
