import { MySqlError } from "../errors.ts";
import { isNode, type SqlNode } from "./sql-node.ts";

interface ParserInstance {
  astify(sql: string, options: { database: string; parseOptions: { includeLocations: boolean } }): unknown;
}

let parser: Promise<ParserInstance> | undefined;

/**
 * node-sql-parser's MySQL-only build, loaded on first use: the full package bundles every dialect, and
 * a gateway whose statements all go to unsharded keyspaces never parses at all.
 */
function loadParser(): Promise<ParserInstance> {
  parser ??= import("node-sql-parser/build/mysql.js").then((module: { default?: { Parser: new () => ParserInstance }; Parser?: new () => ParserInstance }) => {
    const Parser = module.Parser ?? module.default!.Parser;
    return new Parser();
  });
  return parser;
}

/** Parses one statement, with source positions; a statement the parser rejects is a clear 1064. */
export async function parseStatement(sql: string): Promise<SqlNode> {
  const instance = await loadParser();
  let ast: unknown;
  try {
    ast = instance.astify(sql, { database: "MySQL", parseOptions: { includeLocations: true } });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    throw MySqlError.of("PARSE", `shardgate could not parse this statement to route it on a sharded keyspace: ${message}`);
  }
  const statement = Array.isArray(ast) ? (ast.length === 1 ? ast[0] : undefined) : ast;
  if (!isNode(statement)) throw MySqlError.of("NOT_SUPPORTED_YET", "shardgate supports one statement at a time on a sharded keyspace");
  return statement;
}
