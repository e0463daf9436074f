/**
 * The real oracle for compareColumnValues: MariaDB itself. Generated strings go into one column per
 * collation, generated numbers, decimals, dates and times into typed columns; then for every pair of
 * rows the server's own comparison (STRCMP for strings, `>`/`<` for the rest, NULL first) must have the
 * sign the gateway's comparator gives, and the server's ORDER BY must be non-decreasing for it.
 * Values are read with `character_set_results = NULL` and typeCast off: the text-protocol bytes, in
 * the column's own character set, labelled with the column's real collation id.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import mysql, { type Connection, type FieldPacket, type RowDataPacket } from "mysql2/promise";
import { collationById } from "../../src/core/collations/collation.ts";
import { UnsupportedComparison } from "../../src/core/collations/unsupported-comparison.ts";
import { compareColumnValues, type ComparableColumn } from "../../src/core/collations/value-compare.ts";
import { ColumnFlag } from "../../src/core/protocol/constants.ts";
import { getTestBackends } from "../support/test-env.ts";

const SEED = Number(process.env.SHARDGATE_COLLATION_SEED ?? 20240607);
const STRING_ROWS = 300;
const TYPED_ROWS = 200;
const SUFFIX = `${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;

// ---- Generated values ----------------------------------------------------------------------------

/** Pieces chosen to collide under some collations and not others: case, accents, ß/ss, æ/ae, ligatures,
 * Swedish letters (sorted after Z in latin1_swedish_ci), Greek final sigma, Cyrillic ё/й, ignorables,
 * spaces and tabs, digits, punctuation, supplementary characters. */
const PIECES = [
  "a", "A", "á", "b", "B", "e", "E", "é", "É", "è", "ë", "Ê", "s", "S", "ß", "ss", "SS", "ẞ", "o", "O", "ö", "Ö", "ø", "Ø",
  "å", "Å", "ä", "Ä", "æ", "Æ", "ae", "œ", "Œ", "oe", "ł", "Ł", "l", "L", "ı", "İ", "i", "I", "ñ", "Ñ", "n", "y", "Y", "ü", "Ü",
  "ÿ", "Ÿ", "z", "Z", "þ", "Þ", "ð", "Ð", "d", "[", "\\", "]", " ", "  ", "\t", "\n", "-", "_", ".", ",", "'", "0", "1", "9",
  "10", "½", "²", "µ", "α", "Α", "ά", "σ", "ς", "Σ", "ω", "Ω", "е", "Е", "ё", "Ё", "и", "й", "Й", "я", "Я", "ж", "€", "Š", "š",
  "™", "😀", "🎉", "𝒜", "\u0301", "\u00a0", "ǅ", "ǆ", "Ǆ", "ﬁ", "fi", "ŉ", "ﬀ", "\u200b", "\u0000", "\u00ad", "Ａ", "ｱ", "가", "中",
];

const CP1252_HIGH = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");
const latin1Text = (s: string) => [...s].filter((ch) => ch.codePointAt(0)! < 0x80 || (ch.codePointAt(0)! >= 0xa0 && ch.codePointAt(0)! <= 0xff) || CP1252_HIGH.has(ch)).join("");
const bmpText = (s: string) => [...s].filter((ch) => ch.codePointAt(0)! <= 0xffff).join("");
const utf8Bytes = (s: string) => Buffer.from(s, "utf8");

interface StringColumn {
  name: string;
  sqlType: string;
  collationId: number;
  value: (s: string) => string | Buffer;
}

const varchar = (charset: string, collation: string) => `VARCHAR(80) CHARACTER SET ${charset} COLLATE ${collation}`;
const STRING_COLUMNS: readonly StringColumn[] = [
  { name: "g", sqlType: varchar("utf8mb4", "utf8mb4_general_ci"), collationId: 45, value: (s) => s },
  { name: "gn", sqlType: varchar("utf8mb4", "utf8mb4_general_nopad_ci"), collationId: 1069, value: (s) => s },
  { name: "u", sqlType: varchar("utf8mb4", "utf8mb4_unicode_ci"), collationId: 224, value: (s) => s },
  { name: "un", sqlType: varchar("utf8mb4", "utf8mb4_unicode_nopad_ci"), collationId: 1248, value: (s) => s },
  { name: "b", sqlType: varchar("utf8mb4", "utf8mb4_bin"), collationId: 46, value: (s) => s },
  { name: "bn", sqlType: varchar("utf8mb4", "utf8mb4_nopad_bin"), collationId: 1070, value: (s) => s },
  { name: "g3", sqlType: varchar("utf8mb3", "utf8mb3_general_ci"), collationId: 33, value: bmpText },
  { name: "u3", sqlType: varchar("utf8mb3", "utf8mb3_unicode_ci"), collationId: 192, value: bmpText },
  { name: "b3", sqlType: varchar("utf8mb3", "utf8mb3_bin"), collationId: 83, value: bmpText },
  { name: "l", sqlType: varchar("latin1", "latin1_swedish_ci"), collationId: 8, value: latin1Text },
  { name: "ln", sqlType: varchar("latin1", "latin1_swedish_nopad_ci"), collationId: 1032, value: latin1Text },
  { name: "lb", sqlType: varchar("latin1", "latin1_bin"), collationId: 47, value: latin1Text },
  { name: "vb", sqlType: "VARBINARY(320)", collationId: 63, value: utf8Bytes },
];

const pieceArb = fc.oneof(
  { weight: 17, arbitrary: fc.constantFrom(...PIECES) },
  // Anywhere in the BMP but the surrogates and the C1 controls.
  { weight: 2, arbitrary: fc.integer({ min: 0xa0, max: 0xfffd }).filter((cp) => cp < 0xd800 || cp > 0xdfff).map((cp) => String.fromCodePoint(cp)) },
  { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)) },
);
/** Near-collisions: a few words, each letter swapped for a case or accent variant (or dropped, for spaces). */
const SKELETONS = ["resume", "strasse", "aeon", "ola", "idea", "cafe", "nino", "lodz", "soy", "dolce", "a b", "ses", "s", "σοφος", "ежи", "ae"];
const VARIANTS: Record<string, string[]> = {
  a: ["a", "A", "á", "Á", "à", "ä", "Ä", "å", "Å", "â", "ã", "ą", "ā", "ª"],
  e: ["e", "E", "é", "É", "è", "ë", "ê", "Ê", "ę", "ě", "ē", "e\u0301"],
  i: ["i", "I", "í", "ï", "ı", "İ", "î"],
  o: ["o", "O", "ó", "ö", "Ö", "ø", "Ø", "ô", "õ", "º"],
  u: ["u", "U", "ú", "ü", "Ü", "ů", "û"],
  s: ["s", "S", "ß", "ś", "š", "Š", "ş", "ſ", "ss"],
  n: ["n", "N", "ñ", "Ñ", "ń"],
  c: ["c", "C", "ç", "Ç", "č"],
  l: ["l", "L", "ł", "Ł", "ŀ"],
  y: ["y", "Y", "ý", "ÿ", "Ÿ", "Ý"],
  d: ["d", "D", "ð", "Ð", "đ", "Đ"],
  z: ["z", "Z", "ž", "ź", "ż"],
  r: ["r", "R", "ř"],
  " ": [" ", "", "\t", "  ", "\u00a0"],
  σ: ["σ", "Σ", "ς"],
  ο: ["ο", "Ο", "ό"],
  е: ["е", "Е", "ё", "Ё"],
  и: ["и", "И", "й", "Й"],
};
const variantArb = fc
  .constantFrom(...SKELETONS)
  .chain((word) => fc.tuple(...[...word].map((ch) => fc.constantFrom(...(VARIANTS[ch] ?? [ch])))))
  .map((parts) => parts.join(""));
const stringArb = fc
  .tuple(fc.oneof(fc.array(pieceArb, { maxLength: 7 }).map((pieces) => pieces.join("")), variantArb), fc.constantFrom("", "", "", " ", "  ", "\t", " \t"))
  .map(([text, tail]) => text + tail);

function stringRows(seed: number, count: number): unknown[][] {
  return fc.sample(stringArb, { seed, numRuns: count }).map((s, id) => [id, ...STRING_COLUMNS.map((c) => c.value(s))]);
}

interface TypedColumn {
  name: string;
  sqlType: string;
  /** False for ENUM/SET, which the gateway refuses to compare. */
  comparable: boolean;
  arb: fc.Arbitrary<unknown>;
}

const pad = (n: number | bigint, width: number) => String(n).padStart(width, "0");
const decimalArb = (intDigits: number, scale: number, edges: string[]) =>
  fc.oneof(
    fc.constantFrom(...edges),
    fc.bigInt({ min: -2000n, max: 2000n }),
    fc.bigInt({ min: -(10n ** BigInt(intDigits + scale)) + 1n, max: 10n ** BigInt(intDigits + scale) - 1n }),
  ).map((v) => {
    if (typeof v === "string") return v;
    const digits = pad(v < 0n ? -v : v, scale + 1);
    const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    return v < 0n ? `-${text}` : text;
  });
const dateArb = fc.record({ y: fc.integer({ min: 1000, max: 9999 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) })
  .map(({ y, m, d }) => `${y}-${pad(m, 2)}-${pad(d, 2)}`);
const clockArb = fc.integer({ min: 0, max: 86399 }).map((s) => `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}`);
const MAX_TIME = 838 * 3600 + 59 * 60 + 59;
const timeArb = (digits: number) =>
  fc.tuple(fc.oneof(fc.integer({ min: -MAX_TIME, max: MAX_TIME }), fc.integer({ min: -90000, max: 90000 })), fc.integer({ min: 0, max: 10 ** digits - 1 }))
    .map(([t, f]) => {
      const s = Math.abs(t);
      const frac = digits === 0 || s === MAX_TIME ? "" : `.${pad(f, digits)}`;
      return `${t < 0 ? "-" : ""}${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}${frac}`;
    });
const bigIntText = (min: bigint, max: bigint, edges: bigint[]) =>
  fc.oneof(fc.constantFrom(...edges), fc.bigInt({ min: -300n > min ? -300n : min, max: 300n }), fc.bigInt({ min, max })).map(String);

const TYPED_COLUMNS: readonly TypedColumn[] = [
  { name: "ti", sqlType: "TINYINT", comparable: true, arb: fc.integer({ min: -128, max: 127 }) },
  { name: "tu", sqlType: "TINYINT UNSIGNED", comparable: true, arb: fc.integer({ min: 0, max: 255 }) },
  { name: "mu", sqlType: "MEDIUMINT UNSIGNED", comparable: true, arb: fc.integer({ min: 0, max: 16777215 }) },
  { name: "iz", sqlType: "INT(6) UNSIGNED ZEROFILL", comparable: true, arb: fc.oneof(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 4294967295 })) },
  { name: "bs", sqlType: "BIGINT", comparable: true, arb: bigIntText(-(2n ** 63n), 2n ** 63n - 1n, [-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n]) },
  { name: "bu", sqlType: "BIGINT UNSIGNED", comparable: true, arb: bigIntText(0n, 2n ** 64n - 1n, [0n, 2n ** 63n, 2n ** 64n - 1n]) },
  { name: "d1", sqlType: "DECIMAL(30,10)", comparable: true, arb: decimalArb(20, 10, ["-0.001", "-0.01", "0", "-0.0000000001", "10", "9", "-10", "-9"]) },
  { name: "d2", sqlType: "DECIMAL(6,3) ZEROFILL", comparable: true, arb: decimalArb(3, 3, ["0.001", "0.010", "100.000", "99.999"]).map((v) => v.replace("-", "")) },
  { name: "d0", sqlType: "DECIMAL(40,0)", comparable: true, arb: decimalArb(40, 0, ["-1", "1", "0"]) },
  { name: "fl", sqlType: "FLOAT", comparable: false, arb: fc.float({ noNaN: true, noDefaultInfinity: true }) },
  { name: "db", sqlType: "DOUBLE", comparable: true, arb: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(-1.5e300, 0.1, 0.30000000000000004, 0.3, -0)) },
  { name: "dt", sqlType: "DATE", comparable: true, arb: fc.oneof({ weight: 9, arbitrary: dateArb }, { weight: 1, arbitrary: fc.constant("0000-00-00") }) },
  { name: "dtm", sqlType: "DATETIME(3)", comparable: true, arb: fc.tuple(dateArb, clockArb, fc.integer({ min: 0, max: 999 })).map(([d, c, ms]) => `${d} ${c}.${pad(ms, 3)}`) },
  { name: "ts", sqlType: "TIMESTAMP(6) NULL", comparable: true, arb: fc.tuple(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 999999 })).map(([s, us]) => `${new Date(s * 1000).toISOString().slice(0, 19).replace("T", " ")}.${pad(us, 6)}`) },
  { name: "tm", sqlType: "TIME(2)", comparable: true, arb: timeArb(2) },
  { name: "tm0", sqlType: "TIME", comparable: true, arb: timeArb(0) },
  { name: "yr", sqlType: "YEAR", comparable: true, arb: fc.oneof(fc.constant(0), fc.integer({ min: 1901, max: 2155 })) },
  { name: "bt", sqlType: "BIT(12)", comparable: true, arb: fc.integer({ min: 0, max: 4095 }) },
  { name: "vb", sqlType: "VARBINARY(6)", comparable: true, arb: fc.uint8Array({ maxLength: 6, max: 0x21 }).map((bytes) => Buffer.from(bytes)) },
  { name: "bn", sqlType: "BINARY(4)", comparable: true, arb: fc.uint8Array({ maxLength: 4 }).map((bytes) => Buffer.from(bytes)) },
  { name: "js", sqlType: "JSON", comparable: true, arb: fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.constantFrom(true, null, [1], { a: 1 })).map((v) => JSON.stringify(v)) },
  { name: "en", sqlType: "ENUM('b','a','c')", comparable: false, arb: fc.constantFrom("a", "b", "c") },
  { name: "st", sqlType: "SET('b','a','c')", comparable: false, arb: fc.constantFrom("", "a", "b,c", "a,b,c") },
];

function typedRows(seed: number, count: number): unknown[][] {
  const row = fc.tuple(...TYPED_COLUMNS.map((c) => fc.option(c.arb, { freq: 8, nil: null })));
  return fc.sample(row, { seed, numRuns: count }).map((values, id) => [id, ...values]);
}

async function connect(): Promise<Connection> {
  const backend = getTestBackends().servers.commerce;
  if (backend === undefined) throw new Error("the sandbox has no commerce server");
  return mysql.createConnection({ host: backend.host, port: backend.port, user: backend.user, password: backend.password });
}

type Raw = Uint8Array | null;

async function rawQuery(connection: Connection, sql: string): Promise<{ rows: Raw[][]; fields: FieldPacket[] }> {
  const [rows, fields] = await connection.query<RowDataPacket[]>({ sql, rowsAsArray: true, typeCast: false });
  return { rows: rows as unknown as Raw[][], fields };
}

function columnOf(field: FieldPacket): ComparableColumn {
  return { type: field.columnType ?? -1, flags: Number(field.flags ?? 0), characterSet: field.characterSet ?? -1, decimals: field.decimals ?? 0 };
}

function show(value: Raw): string {
  if (value === null) return "NULL";
  return `${JSON.stringify(new TextDecoder().decode(value))} (${Buffer.from(value).toString("hex")})`;
}

function serverSign(value: Raw): number {
  assert.notEqual(value, null, "the server's comparison gave NULL");
  return Number(new TextDecoder().decode(value!));
}

/**
 * For every pair (a.id < b.id) and every column, the server's comparison result in `signSql(column)`
 * must equal the sign of compareColumnValues; returns how many comparisons were checked.
 */
async function checkPairs(connection: Connection, table: string, columns: readonly string[], signSql: (column: string) => string): Promise<number> {
  const { rows: values, fields } = await rawQuery(connection, `SELECT id, ${columns.join(", ")} FROM ${table} ORDER BY id`);
  const byId = new Map(values.map((row) => [serverSign(row[0]!), row]));
  const definitions = fields.slice(1).map(columnOf);
  const { rows } = await rawQuery(
    connection,
    `SELECT a.id, b.id, ${columns.map(signSql).join(", ")} FROM ${table} a JOIN ${table} b ON a.id < b.id`,
  );
  const mismatches: string[] = [];
  let checked = 0;
  for (const row of rows) {
    const left = byId.get(serverSign(row[0]!))!;
    const right = byId.get(serverSign(row[1]!))!;
    columns.forEach((name, k) => {
      const expected = serverSign(row[2 + k]!);
      const actual = Math.sign(compareColumnValues(definitions[k]!, left[1 + k]!, right[1 + k]!));
      checked++;
      if (actual !== expected && mismatches.length < 20) {
        mismatches.push(`${name}: ${show(left[1 + k]!)} vs ${show(right[1 + k]!)}: server ${expected}, gateway ${actual}`);
      }
    });
  }
  assert.deepEqual(mismatches, [], `seed ${SEED}`);
  return checked;
}

/** The server's ORDER BY of each column must be non-decreasing for the gateway's comparator. */
async function checkOrderBy(connection: Connection, table: string, columns: readonly string[]): Promise<void> {
  for (const name of columns) {
    const { rows, fields } = await rawQuery(connection, `SELECT ${name} FROM ${table} ORDER BY ${name}, id`);
    const column = columnOf(fields[0]!);
    for (let i = 1; i < rows.length; i++) {
      const [previous, current] = [rows[i - 1]![0]!, rows[i]![0]!];
      assert.ok(
        compareColumnValues(column, previous, current) <= 0,
        `${name}: server sorts ${show(previous)} before ${show(current)} (seed ${SEED})`,
      );
    }
  }
}

describe("compareColumnValues agrees with MariaDB", () => {
  let connection: Connection;
  const strings = `collation_oracle.strings_${SUFFIX}`;
  const typed = `collation_oracle.typed_${SUFFIX}`;

  before(async () => {
    connection = await connect();
    await connection.query("CREATE DATABASE IF NOT EXISTS collation_oracle");
    await connection.query(
      `CREATE TABLE ${strings} (id INT PRIMARY KEY, ${STRING_COLUMNS.map((c) => `${c.name} ${c.sqlType}`).join(", ")})`,
    );
    await connection.query(`CREATE TABLE ${typed} (id INT PRIMARY KEY, ${TYPED_COLUMNS.map((c) => `${c.name} ${c.sqlType}`).join(", ")})`);
    await connection.query("SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES'");
    const insert = async (table: string, rows: readonly (readonly unknown[])[]) => {
      const width = rows[0]!.length;
      const placeholders = rows.map(() => `(${Array(width).fill("?").join(", ")})`).join(", ");
      await connection.query(`INSERT INTO ${table} VALUES ${placeholders}`, rows.flat());
    };
    await insert(strings, stringRows(SEED, STRING_ROWS));
    await insert(typed, typedRows(SEED, TYPED_ROWS));
    await connection.query("SET character_set_results = NULL");
  });

  after(async () => {
    await connection.query(`DROP TABLE IF EXISTS ${strings}, ${typed}`);
    await connection.end();
  });

  it("labels each column with its own collation only when character_set_results is NULL", async () => {
    const { fields } = await rawQuery(connection, `SELECT ${STRING_COLUMNS.map((c) => c.name).join(", ")} FROM ${strings} LIMIT 0`);
    assert.deepEqual(
      fields.map((f) => f.characterSet),
      STRING_COLUMNS.map((c) => c.collationId),
    );
    for (const c of STRING_COLUMNS) {
      if (c.collationId !== 63) assert.equal(collationById(c.collationId)?.id, c.collationId, c.name);
    }
    // With a results character set every string column is converted and labelled with the
    // connection's collation, whatever its own is: that id must not pick the comparison.
    const converted = await connect();
    try {
      const [, convertedFields] = await converted.query({ sql: `SELECT u, l, b FROM ${strings} LIMIT 0`, rowsAsArray: true });
      const [rows] = await converted.query<RowDataPacket[]>({
        sql: "SELECT ID FROM information_schema.COLLATIONS WHERE COLLATION_NAME = @@collation_connection",
        rowsAsArray: true,
      });
      const connectionCollation = Number(rows[0]![0]);
      assert.deepEqual(convertedFields.map((f) => f.characterSet), [connectionCollation, connectionCollation, connectionCollation]);
    } finally {
      await converted.end();
    }
  });

  it("strings: every pair compares as STRCMP does, in every collation", async () => {
    const names = STRING_COLUMNS.map((c) => c.name);
    const checked = await checkPairs(connection, strings, names, (c) => `STRCMP(a.${c}, b.${c})`);
    assert.equal(checked, ((STRING_ROWS * (STRING_ROWS - 1)) / 2) * names.length);
  });

  it("strings: equality keys are equal exactly for the rows `=` puts together", async () => {
    const { rows, fields } = await rawQuery(connection, `SELECT ${STRING_COLUMNS.map((c) => c.name).join(", ")} FROM ${strings}`);
    for (const [k, field] of fields.entries()) {
      const collation = collationById(field.characterSet!)!;
      const [groups] = await connection.query<RowDataPacket[]>({
        sql: `SELECT COUNT(DISTINCT ${field.name}) FROM ${strings}`,
        rowsAsArray: true,
      });
      const keys = new Set(rows.filter((row) => row[k] !== null).map((row) => Buffer.from(collation.key(row[k]!)).toString("hex")));
      assert.equal(keys.size, Number(groups[0]![0]), `${field.name}: distinct keys vs COUNT(DISTINCT)`);
    }
  });

  it("strings: MariaDB's ORDER BY is non-decreasing for the gateway's comparator", async () => {
    await checkOrderBy(connection, strings, STRING_COLUMNS.map((c) => c.name));
  });

  it("integers, decimals, doubles, dates, times, years, bits, binary, JSON text: every pair compares as the server does, NULL first", async () => {
    const names = TYPED_COLUMNS.filter((c) => c.comparable).map((c) => c.name);
    const sign = (c: string) =>
      `CASE WHEN a.${c} IS NULL AND b.${c} IS NULL THEN 0 WHEN a.${c} IS NULL THEN -1 WHEN b.${c} IS NULL THEN 1 ` +
      `ELSE (a.${c} > b.${c}) - (a.${c} < b.${c}) END`;
    const checked = await checkPairs(connection, typed, names, sign);
    assert.equal(checked, ((TYPED_ROWS * (TYPED_ROWS - 1)) / 2) * names.length);
    await checkOrderBy(connection, typed, names);
  });

  it("ENUM, SET and FLOAT columns, whose text does not carry the server's order, are refused", async () => {
    const { fields } = await rawQuery(connection, `SELECT en, st, fl FROM ${typed} LIMIT 0`);
    assert.ok((fields[0]!.flags as number) & ColumnFlag.ENUM);
    assert.ok((fields[1]!.flags as number) & ColumnFlag.SET);
    // ENUM('b','a','c') sorts 'b' first: by index, not by text.
    const [enums] = await connection.query<RowDataPacket[]>({ sql: `SELECT DISTINCT en FROM ${typed} WHERE en IS NOT NULL ORDER BY en`, rowsAsArray: true });
    assert.deepEqual(enums.map((row) => String(row[0])), ["b", "a", "c"]);
    // Two FLOATs the server tells apart, printed alike.
    const floats = `collation_oracle.floats_${SUFFIX}`;
    await connection.query(`CREATE TABLE ${floats} (id INT PRIMARY KEY, x FLOAT)`);
    try {
      await connection.query(`INSERT INTO ${floats} VALUES (1, 1.0000001), (2, 1.0000002)`);
      const { rows } = await rawQuery(connection, `SELECT a.x, b.x, a.x < b.x FROM ${floats} a JOIN ${floats} b ON a.id = 1 AND b.id = 2`);
      assert.deepEqual(rows[0]!.map((value) => new TextDecoder().decode(value!)), ["1", "1", "1"]);
    } finally {
      await connection.query(`DROP TABLE ${floats}`);
    }
    for (const field of fields) {
      assert.throws(() => compareColumnValues(columnOf(field), new Uint8Array([0x61]), new Uint8Array([0x62])), UnsupportedComparison, field.name);
    }
  });
});
