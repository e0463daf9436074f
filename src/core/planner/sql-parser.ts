import { MySqlError } from "../errors.ts";
import { isNode, type SqlNode } from "./sql-node.ts";

interface ParserInstance {
  astify(sql: string, options: { database: string; parseOptions: { includeLocations: boolean } }): unknown;
}

let parser: Promise<ParserInstance> | undefined;
let loaded: ParserInstance | undefined;

/**
 * node-sql-parser's MySQL-only build, loaded on first use: the full package bundles every dialect, and
 * a gateway whose statements all go to unsharded keyspaces never parses at all.
 */
function loadParser(): Promise<ParserInstance> {
  parser ??= import("node-sql-parser/build/mysql.js").then((module: { default?: { Parser: new () => ParserInstance }; Parser?: new () => ParserInstance }) => {
    const Parser = module.Parser ?? module.default!.Parser;
    loaded = new Parser();
    return loaded;
  });
  return parser;
}

/** Parses one statement, with source positions; a statement the parser rejects is a clear 1064. */
export async function parseStatement(sql: string): Promise<SqlNode> {
  return parseWith(await loadParser(), sql);
}

/** parseStatement for a part of a statement being planned (a subquery): the parser is loaded by then. */
export function parseLoadedStatement(sql: string): SqlNode {
  if (!loaded) throw new Error("the SQL parser is not loaded yet");
  return parseWith(loaded, sql);
}

/**
 * Rewrites, without moving any text, what the parser does not know but the planner can read around:
 * `<=>` (parsed as `=`; the planner checks the text before routing by it) and `SUM(DISTINCT x)` /
 * `AVG`/`MIN`/`MAX` (parsed without DISTINCT; the planner reads DISTINCT from the text). Every parser
 * position stays valid for the client's text.
 */
function parserFriendly(sql: string): string {
  return sql
    .replace(/<=>/g, " = ")
    .replace(/\b(SUM|AVG|MIN|MAX)(\s*\(\s*)(DISTINCT)\b/gi, (_, name: string, open: string, word: string) => name + open + " ".repeat(word.length));
}

function parseWith(instance: ParserInstance, sql: string): SqlNode {
  let ast: unknown;
  try {
    ast = instance.astify(parserFriendly(sql), { database: "MySQL", parseOptions: { includeLocations: true } });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    throw MySqlError.of("PARSE", `shardgate could not parse this statement to route it on a sharded keyspace: ${message}`);
  }
  const statement = Array.isArray(ast) ? (ast.length === 1 ? ast[0] : undefined) : ast;
  if (!isNode(statement)) throw MySqlError.of("NOT_SUPPORTED_YET", "shardgate supports one statement at a time on a sharded keyspace");
  return statement;
}
