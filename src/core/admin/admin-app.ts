import { Hono, type Context, type MiddlewareHandler } from "hono";
import { ConfigError } from "../config/config-error.ts";
import { configFromTree } from "../config/load-config.ts";
import type { ConfigTree } from "../config/types.ts";
import type { Gateway } from "../gateway.ts";
import { redactTopology } from "./redact.ts";
import { readBody } from "./request-body.ts";
import { statementDigest } from "../sql/digest.ts";

/**
 * The HTTP admin API, runtime-agnostic: each entrypoint serves `app.fetch` with its runtime's server.
 * Changes are validated whole against the same schema as the config file, then applied atomically.
 */
export function createAdminApp(gateway: Gateway): Hono {
  const app = new Hono();
  const config = () => gateway.snapshot().config;

  const requireToken: MiddlewareHandler = async (c, next) => {
    const token = config().admin.token;
    if (token === undefined) return c.json({ error: "admin.token is not configured, so changes are disabled" }, 401);
    if (c.req.header("authorization") !== `Bearer ${token}`) return c.json({ error: "missing or wrong bearer token" }, 401);
    await next();
  };
  const readAccess: MiddlewareHandler = async (c, next) => (config().admin.protectReads ? requireToken(c, next) : next());

  app.onError((error, c) => {
    if (error instanceof ConfigError) return c.json({ error: "invalid configuration", issues: error.issues }, 400);
    gateway.logger.error("admin request failed", { path: c.req.path, error: String(error) });
    return c.json({ error: String(error instanceof Error ? error.message : error) }, 500);
  });

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const shards = await gateway.shardStatus(false);
    const ready = shards.every((s) => s.up);
    return c.json({ ready, shards }, ready ? 200 : 503);
  });

  app.get("/v1/topology", readAccess, (c) => c.json(redactTopology(config().tree.topology)));
  app.put("/v1/topology", requireToken, async (c) => apply(c, (tree, body) => (tree.topology = body), "PUT /v1/topology"));
  app.put("/v1/topology/:keyspace/:shard", requireToken, async (c) => {
    const { keyspace, shard } = c.req.param();
    return apply(
      c,
      (tree, body) => {
        const topology = (tree.topology ??= {}) as Record<string, Record<string, unknown>>;
        (topology[keyspace] ??= {})[shard] = body;
      },
      `PUT /v1/topology/${keyspace}/${shard}`,
    );
  });

  app.get("/v1/vschema", readAccess, (c) => c.json(config().tree.vschema ?? {}));
  app.put("/v1/vschema/:keyspace", requireToken, async (c) => {
    const { keyspace } = c.req.param();
    return apply(
      c,
      (tree, body) => {
        ((tree.vschema ??= {}) as Record<string, unknown>)[keyspace] = body;
      },
      `PUT /v1/vschema/${keyspace}`,
    );
  });
  app.post("/v1/vschema/validate", readAccess, async (c) => {
    const tree = edited((t, body) => (t.vschema = body), await readBody(c.req.raw));
    configFromTree(tree, config().readFile);
    return c.json({ valid: true });
  });

  app.post("/v1/reload", requireToken, async (c) => {
    await gateway.reload("POST /v1/reload");
    return c.json({ applied: true });
  });

  app.get("/v1/plans", readAccess, (c) => c.json(gateway.plans.list()));
  app.get("/v1/connections", readAccess, (c) => {
    const now = Date.now();
    return c.json(
      [...gateway.connections].map((client) => ({
        id: client.connectionId,
        user: client.session?.user.config.user ?? null,
        host: client.remoteHost,
        tls: client.secure,
        keyspace: client.session?.keyspace ?? null,
        inTransaction: client.session?.inTransaction ?? false,
        connectedSeconds: Math.round((now - client.connectedAt) / 1000),
        // The digest, not the text: statements can carry values that are nobody's business.
        statement: client.currentStatement === undefined ? null : statementDigest(client.currentStatement),
        statementAgeMs: client.commandStartedAt === undefined ? null : now - client.commandStartedAt,
      })),
    );
  });
  app.get("/metrics", readAccess, (c) =>
    c.body(gateway.metrics.render(), 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }),
  );

  /** Applies `change` to a copy of the running config document; refused whole if anything is invalid. */
  async function apply(c: Context, change: (tree: ConfigTree, body: unknown) => void, source: string) {
    const next = configFromTree(edited(change, await readBody(c.req.raw)), config().readFile);
    await gateway.reconfigure(next, source);
    return c.json({ applied: true });
  }

  function edited(change: (tree: ConfigTree, body: unknown) => void, body: unknown): ConfigTree {
    const tree = structuredClone(config().tree);
    change(tree, body);
    return tree;
  }

  return app;
}
