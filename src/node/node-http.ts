/** `ServeHttp` on Node: Hono's adapter over node:http (Node has no fetch-style server of its own). */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { ServeHttp } from "../net/http-server.ts";

export const serveNodeHttp: ServeHttp = (host, port, fetch) =>
  new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: host, port }, (info: AddressInfo) => {
      server.off("error", reject);
      resolve({
        host: info.address,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Keep-alive connections from probes would otherwise hold close() open.
            if ("closeIdleConnections" in server) server.closeIdleConnections();
          }),
      });
    });
    server.once("error", reject);
  });
