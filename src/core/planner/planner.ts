import type { BindValues, Primitive } from "../engine/primitive.ts";
import { QueryTemplate } from "../engine/query-template.ts";
import { Route } from "../engine/route.ts";
import { MySqlError } from "../errors.ts";
import type { RoutingSnapshot } from "../routing-snapshot.ts";
import { parameterize, type Literal } from "./parameterize.ts";
import { planInsert, planUpdateOrDelete } from "./plan-dml.ts";
import { planSelect, unsupported } from "./plan-select.ts";
import type { PlanningContext, StatementScope } from "./planning-context.ts";
import { parseStatement } from "./sql-parser.ts";

/** A planned statement: its primitive tree, and the keyspaces the user must be allowed to use. */
export interface Plan {
  readonly root: Primitive;
  readonly keyspaces: readonly string[];
  /** The statement type, for metrics and plan statistics (`Select`, `Insert`, `DDL`, ...). */
  readonly type: string;
}

export interface BoundPlan {
  plan: Plan;
  bind: BindValues;
  cached: boolean;
}

/** Plans kept per routing snapshot (a reload starts afresh) and per session keyspace. */
const CACHE_SIZE = 2000;
const caches = new WeakMap<RoutingSnapshot, Map<string, Plan>>();

/** Statements that change schema: sent as they are to every shard of the keyspace. */
const DDL_WORDS = new Set(["CREATE", "ALTER", "DROP", "TRUNCATE", "RENAME", "ANALYZE", "OPTIMIZE", "REPAIR"]);

/**
 * Plans a statement for a sharded keyspace. The cache is keyed by the parameterized text (literals
 * replaced by placeholders), so a statement that only differs in its values binds them into the cached
 * plan with no parse at all (Vitess's plan cache over normalized queries).
 */
export async function planStatement(sql: string, firstKeyword: string, ctx: PlanningContext, keyspace: string): Promise<BoundPlan> {
  if (DDL_WORDS.has(firstKeyword)) return { plan: ddlPlan(sql, keyspace, ctx), bind: [], cached: false };
  const parameterized = parameterize(sql);
  if (!parameterized) throw MySqlError.of("PARSE", "You have an error in your SQL syntax (the statement does not tokenize)");
  let cache = caches.get(ctx.snapshot);
  if (!cache) caches.set(ctx.snapshot, (cache = new Map()));
  const key = `${ctx.defaultKeyspace ?? ""}\u0000${parameterized.text}`;
  const cached = cache.get(key);
  if (cached) {
    for (const name of cached.keyspaces) ctx.checkAccess(name);
    cache.delete(key);
    cache.set(key, cached);
    return { plan: cached, bind: parameterized.literals, cached: true };
  }
  const plan = await buildPlan(parameterized.text, parameterized.literals, ctx);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, plan);
  return { plan, bind: parameterized.literals, cached: false };
}

async function buildPlan(text: string, literals: readonly Literal[], ctx: PlanningContext): Promise<Plan> {
  const ast = await parseStatement(text);
  const used = new Set<string>();
  let nextSlot = literals.length;
  const tracking: StatementScope = {
    snapshot: ctx.snapshot,
    defaultKeyspace: ctx.defaultKeyspace,
    checkAccess(name) {
      ctx.checkAccess(name);
      used.add(name);
    },
    allocateSlot: () => nextSlot++,
  };
  let root: Primitive;
  let type: string;
  switch (ast.type) {
    case "select":
      root = planSelect(ast, text, tracking);
      type = "Select";
      break;
    case "insert":
    case "replace":
      root = planInsert(ast, text, tracking);
      type = ast.type === "insert" ? "Insert" : "Replace";
      break;
    case "update":
    case "delete":
      root = planUpdateOrDelete(ast, text, tracking);
      type = ast.type === "update" ? "Update" : "Delete";
      break;
    default:
      throw unsupported(`${String(ast.type ?? "this").toUpperCase()} statements on a sharded keyspace`);
  }
  return { root, keyspaces: [...used], type };
}

function ddlPlan(sql: string, keyspace: string, ctx: PlanningContext): Plan {
  const route = ctx.snapshot.keyspace(keyspace);
  if (!route) throw MySqlError.of("BAD_DB", `Unknown database '${keyspace}'`);
  const root = new Route({ keyspace, sharded: route.config.sharded, variant: "AllShards", query: new QueryTemplate(sql) });
  return { root, keyspaces: [keyspace], type: "DDL" };
}
