/**
 * The HTTP side of a runtime, as the entrypoints use it for the admin API: a fetch-style handler
 * (what Hono's `app.fetch` is) served by the runtime's own server. Runtime-agnostic types only;
 * src/node/node-http.ts, src/bun/bun-http.ts and src/deno/deno-http.ts implement `ServeHttp`.
 */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

export interface HttpServerHandle {
  /** The address actually bound (port 0 picks a free one). */
  readonly host: string;
  readonly port: number;
  /** Stops accepting and closes idle connections. */
  close(): Promise<void>;
}

export type ServeHttp = (host: string, port: number, fetch: FetchHandler) => Promise<HttpServerHandle>;
