import type { ColumnDefinition } from "../protocol/column-definition.ts";
import { child, children, functionName, isAggregate, isNode, text, type SqlNode } from "../planner/sql-node.ts";
import { Lexer, TK_EOF, TK_ERROR, TK_OP } from "../sql/lexer.ts";
import { sqlNumericLiteral } from "../vindexes/sql-value.ts";
import {
  bindAverage, bindCall, bindLiteral, columnType, constant, FUNCTIONS, kindOf, map, reader, type Bound, type FunctionName,
} from "./expression-operands.ts";
import {
  arithmetic, commonKind, compare, divide, DIV_INCREMENT, int, INT, integerDivide, isTrue, modulo, negate, NOT_FIXED, NULL_TYPE,
  refuse, truth, type NumType, type SqlNumber, type Value,
} from "./numeric-value.ts";
import type { BindValues } from "./primitive.ts";
import type { Row } from "./query-result.ts";
import type { RouteValue } from "./route-value.ts";

export type { Bound } from "./expression-operands.ts";

type Comparison = "=" | "<>" | "<" | "<=" | ">" | ">=" | "<=>";

/**
 * An expression the gateway computes over a merged row (HAVING, a select item over aggregates), as
 * planned: columns are positions in the rows the Aggregate primitive produces, literals the statement's.
 */
export type Expr =
  | { readonly op: "column"; readonly column: number }
  | { readonly op: "avg"; readonly sum: number; readonly count: number }
  | { readonly op: "literal"; readonly value: RouteValue }
  | { readonly op: "bool"; readonly value: boolean }
  | { readonly op: "negate" | "not"; readonly arg: Expr }
  | { readonly op: "arith"; readonly operator: "+" | "-" | "*" | "/" | "DIV" | "%"; readonly left: Expr; readonly right: Expr }
  | { readonly op: "compare"; readonly operator: Comparison; readonly left: Expr; readonly right: Expr }
  | { readonly op: "logic"; readonly operator: "AND" | "OR" | "XOR"; readonly left: Expr; readonly right: Expr }
  | { readonly op: "is"; readonly arg: Expr; readonly test: "NULL" | "TRUE" | "FALSE"; readonly negated: boolean }
  | { readonly op: "between"; readonly arg: Expr; readonly low: Expr; readonly high: Expr; readonly negated: boolean }
  | { readonly op: "in"; readonly arg: Expr; readonly list: readonly Expr[]; readonly negated: boolean }
  | { readonly op: "call"; readonly name: FunctionName; readonly args: readonly Expr[] };

/** Column references and aggregate calls, which the planner maps to columns of the merged rows. */
export type ReferenceResolver = (node: SqlNode) => Expr;

const ARITHMETIC: Record<string, "+" | "-" | "*" | "/" | "DIV" | "%"> = { "+": "+", "-": "-", "*": "*", "/": "/", DIV: "DIV", "%": "%", MOD: "%" };
const COMPARISONS: Record<string, Comparison> = { "=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">=" };
/** MySQL's precedence of the logical operators, which node-sql-parser does not keep (it reads `a OR b AND c` as `(a OR b) AND c`). */
const LOGIC_RANK: Record<string, number> = { OR: 1, XOR: 2, AND: 3, "&&": 3, NOT: 4 };

/** Where a node sits: at the top (or in parentheses), as the operand of a logical operator (its rank), or of any other operator. */
type Place = "top" | "operand" | number;

/**
 * The first logical operator (AND, OR, XOR, NOT) in `node` whose grouping node-sql-parser may have got
 * wrong: in WHERE and HAVING it reads `a OR b AND c` as `(a OR b) AND c`, `a > 1 XOR b` as
 * `a > (1 XOR b)`, `NOT (a) > 1` as `(NOT a) > 1`. A grouping is trusted only where it agrees with
 * MySQL's precedence (a stronger operator under a weaker one) or the operator is in parentheses.
 */
export function misgroupedLogic(node: unknown, place: Place = "top"): SqlNode | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = misgroupedLogic(item, "top");
      if (found) return found;
    }
    return undefined;
  }
  if (!isNode(node)) return undefined;
  const rank = logicalRank(node);
  if (rank !== undefined && node["parentheses"] !== true && place !== "top" && (place === "operand" || rank < place)) return node;
  if (node.type === "binary_expr") {
    const inner: Place = rank ?? "operand";
    return misgroupedLogic(child(node, "left"), inner) ?? misgroupedLogic(child(node, "right"), inner);
  }
  if (node.type === "unary_expr") return misgroupedLogic(child(node, "expr"), rank ?? "operand");
  for (const [key, value] of Object.entries(node)) {
    if (key === "loc" || typeof value !== "object" || value === null) continue;
    const found = misgroupedLogic(value, "top");
    if (found) return found;
  }
  return undefined;
}

/** Refuses (ER 1235) an expression whose logical operators node-sql-parser may have grouped wrongly. */
export function checkLogicalGrouping(node: SqlNode, sql: string): void {
  const misgrouped = misgroupedLogic(node);
  if (misgrouped) throw refuse(`this combination of logical operators (${excerpt(sql, misgrouped)}) over several shards`);
}

/**
 * Compiles a node-sql-parser expression into an Expr, refusing (ER 1235, while planning) whatever the
 * gateway cannot compute exactly as the server would, and logical operators the parser may have
 * grouped wrongly (see misgroupedLogic).
 */
export function compileExpression(node: SqlNode, sql: string, resolve: ReferenceResolver): Expr {
  checkLogicalGrouping(node, sql);
  const compile = (n: SqlNode): Expr => {
    if (isAggregate(n) || n.type === "column_ref") return resolve(n);
    switch (n.type) {
      case "param":
      case "number":
      case "null":
      case "single_quote_string":
      case "double_quote_string":
      case "string":
        return { op: "literal", value: literal(n) };
      case "bool":
        return { op: "bool", value: n["value"] === true };
      case "unary_expr": {
        const operator = text(n, "operator")?.toUpperCase();
        const arg = child(n, "expr")!;
        if (operator === "-") return { op: "negate", arg: compile(arg) };
        if (operator === "+") return compile(arg);
        if (operator === "!") return { op: "not", arg: compile(arg) };
        if (operator === "NOT") return { op: "not", arg: compile(arg) };
        throw refuse(`the operator ${operator} in an expression computed at the gateway`);
      }
      case "binary_expr":
        return binary(n);
      case "function":
        return call(n);
      default:
        throw refuse(`${excerpt(sql, n)} in an expression computed at the gateway`);
    }
  };

  const binary = (n: SqlNode): Expr => {
    const operator = text(n, "operator")!.toUpperCase();
    const left = child(n, "left")!;
    const right = child(n, "right")!;
    const rank = LOGIC_RANK[operator];
    if (rank !== undefined) {
      const op = operator === "&&" ? "AND" : (operator as "AND" | "OR" | "XOR");
      return { op: "logic", operator: op, left: compile(left), right: compile(right) };
    }
    if (operator in ARITHMETIC) return { op: "arith", operator: ARITHMETIC[operator]!, left: compile(left), right: compile(right) };
    if (operator in COMPARISONS) {
      const comparison = operator === "=" && nullSafe(sql, n) ? "<=>" : COMPARISONS[operator]!;
      return { op: "compare", operator: comparison, left: compile(left), right: compile(right) };
    }
    if (operator === "IS" || operator === "IS NOT") {
      const test = right.type === "null" ? "NULL" : right.type === "bool" ? (right["value"] === true ? "TRUE" : "FALSE") : undefined;
      if (!test) throw refuse(`IS ${excerpt(sql, right)} in an expression computed at the gateway`);
      return { op: "is", arg: compile(left), test, negated: operator === "IS NOT" };
    }
    const list = children(right, "value");
    if (operator === "BETWEEN" || operator === "NOT BETWEEN") {
      if (list.length !== 2) throw refuse("this BETWEEN in an expression computed at the gateway");
      return { op: "between", arg: compile(left), low: compile(list[0]!), high: compile(list[1]!), negated: operator !== "BETWEEN" };
    }
    if ((operator === "IN" || operator === "NOT IN") && right.type === "expr_list" && list.length > 0) {
      return { op: "in", arg: compile(left), list: list.map((item) => compile(item)), negated: operator !== "IN" };
    }
    throw refuse(`the operator ${operator} in an expression computed at the gateway`);
  };

  const call = (n: SqlNode): Expr => {
    const name = functionName(n);
    const args = children(child(n, "args") ?? {}, "value");
    if (name === "NOT" && args.length === 1) return { op: "not", arg: compile(args[0]!) };
    if (!(FUNCTIONS as readonly string[]).includes(name)) throw refuse(`the function ${name}() in an expression computed at the gateway`);
    const compiled = args.map((arg) => compile(arg));
    const arity: Record<string, [number, number]> = { ROUND: [1, 2], TRUNCATE: [2, 2], IFNULL: [2, 2], COALESCE: [1, 99], IF: [3, 3], MOD: [2, 2] };
    const [min, max] = arity[name] ?? [1, 1];
    if (compiled.length < min || compiled.length > max) throw refuse(`${name}() with ${compiled.length} arguments in an expression computed at the gateway`);
    if ((name === "ROUND" || name === "TRUNCATE") && compiled[1] && !isConstant(compiled[1])) {
      throw refuse(`${name}() to a number of decimals that is not a literal, at the gateway`);
    }
    if (name === "MOD") return { op: "arith", operator: "%", left: compiled[0]!, right: compiled[1]! };
    return { op: "call", name: name as FunctionName, args: compiled };
  };

  return compile(node);
}

function isConstant(e: Expr): boolean {
  return e.op === "literal" || (e.op === "negate" && isConstant(e.arg));
}

function logicalRank(n: SqlNode): number | undefined {
  if (n.type === "binary_expr") {
    const operator = text(n, "operator")!.toUpperCase();
    if (operator === "||") throw refuse("|| (OR, or concatenation under PIPES_AS_CONCAT) in an expression computed at the gateway");
    return LOGIC_RANK[operator];
  }
  if (n.type === "unary_expr" && text(n, "operator")?.toUpperCase() === "NOT") return LOGIC_RANK.NOT;
  if (n.type === "function" && functionName(n) === "NOT") return LOGIC_RANK.NOT;
  return undefined;
}

function literal(n: SqlNode): RouteValue {
  const value = n["value"];
  if (n.type === "param" && typeof value === "string" && value.startsWith("__sg")) return { param: Number(value.slice(4)) };
  if (n.type === "number" && (typeof value === "number" || typeof value === "string")) {
    return { constant: sqlNumericLiteral(String(value)), source: String(value) };
  }
  if (n.type === "null") return { constant: { kind: "null" }, source: "NULL" };
  throw refuse("string values in an expression computed at the gateway (comparing them needs their collation)");
}

const lexer = new Lexer();
const COMPARISON_TOKENS = new Set(["=", "<=>", "<>", "!=", "<", "<=", ">", ">="]);

/**
 * node-sql-parser reads `<=>` as `=` (see sql-parser.ts): the operator is the node's last comparison
 * token outside parentheses (comparisons group to the left). Its end offsets can take in what follows,
 * so only tokens that end inside the node count.
 */
function nullSafe(sql: string, node: SqlNode): boolean {
  if (!node.loc) throw refuse("<=> here in an expression computed at the gateway");
  const { start, end } = { start: node.loc.start.offset, end: node.loc.end.offset };
  let depth = 0;
  let operator: string | undefined;
  lexer.reset(sql);
  for (let kind = lexer.next(); kind !== TK_EOF && kind !== TK_ERROR && lexer.end <= end; kind = lexer.next()) {
    if (lexer.start < start || kind !== TK_OP) continue;
    const token = sql.slice(lexer.start, lexer.end);
    if (token === "(") depth++;
    else if (token === ")") depth--;
    else if (depth === 0 && COMPARISON_TOKENS.has(token)) operator = token;
  }
  return operator === "<=>";
}

function excerpt(sql: string, n: SqlNode): string {
  return n.loc ? sql.slice(n.loc.start.offset, n.loc.end.offset).trim() : String(n.type);
}

/** The type an operator's result has, from its operands' static types. */
function resultType(operator: "+" | "-" | "*" | "/" | "DIV" | "%", l: NumType, r: NumType): NumType {
  const kind = operator === "/" && commonKind(l, r) === "int" ? "decimal" : operator === "DIV" ? (commonKind(l, r) === "null" ? "null" : "int") : commonKind(l, r);
  if (kind === "null") return NULL_TYPE;
  if (kind === "int") return { kind, unsigned: l.unsigned || r.unsigned, decimals: 0 };
  if (kind === "double") return { kind, unsigned: false, decimals: Math.min(NOT_FIXED, Math.max(l.decimals, r.decimals) + (operator === "/" ? DIV_INCREMENT : 0)) };
  const decimals = operator === "*" ? l.decimals + r.decimals : operator === "/" ? l.decimals + DIV_INCREMENT : Math.max(l.decimals, r.decimals);
  return { kind, unsigned: false, decimals: Math.min(decimals, 38) };
}

function bool(evaluate: (row: Row) => boolean | null): Bound {
  return { type: INT, evaluate: (row) => truth(evaluate(row)) };
}

/** Binds an Expr to the result columns and literal values of one execution. */
export function bindExpression(expr: Expr, fields: readonly ColumnDefinition[], bind: BindValues): Bound {
  const bound = (e: Expr): Bound => bindExpression(e, fields, bind);
  switch (expr.op) {
    case "column": {
      const type = columnType(fields[expr.column]!);
      return { type, evaluate: reader(type, expr.column) };
    }
    case "avg":
      return bindAverage(expr.sum, expr.count, fields);
    case "literal":
      return constant(bindLiteral(expr.value, bind));
    case "bool":
      return constant(int(expr.value ? 1n : 0n));
    case "negate": {
      const arg = bound(expr.arg);
      const type = arg.type.kind === "int" ? { ...arg.type, unsigned: false } : arg.type;
      return { type, evaluate: (row) => map(arg.evaluate(row), negate) };
    }
    case "not": {
      const arg = bound(expr.arg);
      return bool((row) => map(isTrue(arg.evaluate(row)), (b) => !b));
    }
    case "arith": {
      const left = bound(expr.left);
      const right = bound(expr.right);
      const type = resultType(expr.operator, left.type, right.type);
      const kind = type.kind;
      const operate = (a: SqlNumber, b: SqlNumber): Value => {
        switch (expr.operator) {
          case "/":
            return divide(kind, a, b);
          case "DIV":
            return integerDivide(a, b);
          case "%":
            return modulo(kind, a, b);
          default:
            return arithmetic(expr.operator, kind, a, b);
        }
      };
      return { type, evaluate: (row) => both(left.evaluate(row), right.evaluate(row), operate) };
    }
    case "compare": {
      const left = bound(expr.left);
      const right = bound(expr.right);
      const kind = commonKind(left.type, right.type);
      const test = comparisonTest(expr.operator);
      if (expr.operator === "<=>") {
        return bool((row) => {
          const a = left.evaluate(row);
          const b = right.evaluate(row);
          return a === null || b === null ? a === b : compare(kind, a, b, "comparator", test);
        });
      }
      return bool((row) => both(left.evaluate(row), right.evaluate(row), (a, b) => compare(kind, a, b, "comparator", test)));
    }
    case "logic": {
      const left = bound(expr.left);
      const right = bound(expr.right);
      return bool((row) => logic(expr.operator, isTrue(left.evaluate(row)), () => isTrue(right.evaluate(row))));
    }
    case "is": {
      const arg = bound(expr.arg);
      return bool((row) => {
        const value = arg.evaluate(row);
        const holds = expr.test === "NULL" ? value === null : isTrue(value) === (expr.test === "TRUE");
        return holds !== expr.negated;
      });
    }
    case "between": {
      const [arg, low, high] = [bound(expr.arg), bound(expr.low), bound(expr.high)];
      const kind = kindOf([arg.type, low.type, high.type]);
      return bool((row) => {
        const x = arg.evaluate(row);
        const atLeast = both(x, low.evaluate(row), (a, b) => compare(kind, a, b, "exact", (o) => o >= 0));
        const atMost = both(x, high.evaluate(row), (a, b) => compare(kind, a, b, "exact", (o) => o <= 0));
        const inside = logic("AND", atLeast, () => atMost);
        return expr.negated ? map(inside, (b) => !b) : inside;
      });
    }
    case "in": {
      const arg = bound(expr.arg);
      const list = expr.list.map(bound);
      const kind = kindOf([arg.type, ...list.map((item) => item.type)]);
      return bool((row) => {
        const x = arg.evaluate(row);
        if (x === null) return null;
        let sawNull = false;
        for (const item of list) {
          const y = item.evaluate(row);
          if (y === null) sawNull = true;
          else if (compare(kind, x, y, "list", (o) => o === 0)) return !expr.negated;
        }
        return sawNull ? null : expr.negated;
      });
    }
    case "call":
      return bindCall(expr.name, expr.args.map(bound));
  }
}

function both<T>(a: Value, b: Value, f: (a: SqlNumber, b: SqlNumber) => T): T | null {
  return a === null || b === null ? null : f(a, b);
}

function comparisonTest(operator: Comparison): (order: number) => boolean {
  switch (operator) {
    case "=":
    case "<=>":
      return (o) => o === 0;
    case "<>":
      return (o) => o !== 0;
    case "<":
      return (o) => o < 0;
    case "<=":
      return (o) => o <= 0;
    case ">":
      return (o) => o > 0;
    case ">=":
      return (o) => o >= 0;
  }
}

/** Three-valued AND / OR / XOR; the right side is evaluated only when it can change the answer. */
function logic(operator: "AND" | "OR" | "XOR", a: boolean | null, b: () => boolean | null): boolean | null {
  if (operator === "AND") {
    if (a === false) return false;
    const r = b();
    return r === false ? false : a === null || r === null ? null : true;
  }
  if (operator === "OR") {
    if (a === true) return true;
    const r = b();
    return r === true ? true : a === null || r === null ? null : false;
  }
  const r = b();
  return a === null || r === null ? null : a !== r;
}
