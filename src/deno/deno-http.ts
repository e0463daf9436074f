/** `ServeHttp` on Deno: `Deno.serve`, which takes the fetch handler as it is. */
import type { ServeHttp } from "../net/http-server.ts";
import { denoGlobal } from "./deno-api.ts";

export const serveDenoHttp: ServeHttp = (host, port, fetch) =>
  new Promise((resolve, reject) => {
    try {
      const server = denoGlobal().serve(
        // onListen also replaces Deno's own "Listening on ..." line on stdout.
        { hostname: host, port, onListen: (addr) => resolve({ host: addr.hostname, port: addr.port, close: () => server.shutdown() }) },
        async (request) => fetch(request),
      );
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
