/** `ServeHttp` on Bun: `Bun.serve`, which takes the fetch handler as it is. */
import type { ServeHttp } from "../net/http-server.ts";
import { bunGlobal } from "./bun-api.ts";

export const serveBunHttp: ServeHttp = async (host, port, fetch) => {
  const server = bunGlobal().serve({ hostname: host, port, fetch: async (request) => fetch(request) });
  return {
    host: server.hostname,
    port: server.port,
    // true: a probe's keep-alive connection must not hold the shutdown open.
    close: () => server.stop(true),
  };
};
