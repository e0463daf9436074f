/**
 * Deterministic data for the differential suite: a seeded PRNG (mulberry32, never Math.random), so
 * every run, every runtime and both sides (sharded and plain) get the very same rows. The values are
 * chosen to make the sharded merge hard: names equal under utf8mb4_general_ci but spelled differently
 * (case, accents, trailing spaces), NULLs, huge ids (negative ones come with the corpus's writes), balances with cents, and doubles that
 * are multiples of 0.25 (exact in binary, so a sum is the same in any order).
 */
import { HashVindex } from "../../../src/core/vindexes/hash.ts";
import { sqlInt } from "../../../src/core/vindexes/sql-value.ts";

export const DATA_SEED = 0x5ad9a7e;

export interface CustomerRow {
  customer_id: bigint;
  name: string;
  email: string | null;
  country: string | null;
  score: number | null;
  /** DECIMAL(12,2) as its exact text. */
  balance: string;
  /** A multiple of 0.25, or NULL. */
  rating: number | null;
  /** YYYY-MM-DD. */
  created: string;
}

export interface OrderRow {
  order_id: bigint;
  customer_id: bigint;
  sku: string;
  qty: number;
  /** DECIMAL(10,2) as its exact text. */
  price: string;
  status: string | null;
}

export interface CountryRow {
  code: string;
  name: string | null;
  region: string | null;
}

export interface ProductRow {
  sku: string;
  description: string;
  price: string;
}

export interface DifferentialData {
  customers: CustomerRow[];
  orders: OrderRow[];
  countries: CountryRow[];
}

export type Shard = "-80" | "80-";

export const CUSTOMER_COLUMNS = ["customer_id", "name", "email", "country", "score", "balance", "rating", "created"] as const;
export const ORDER_COLUMNS = ["order_id", "customer_id", "sku", "qty", "price", "status"] as const;
export const COUNTRY_COLUMNS = ["code", "name", "region"] as const;
export const PRODUCT_COLUMNS = ["sku", "description", "price"] as const;

/** mulberry32: a tiny, well-mixed 32-bit PRNG; plenty for test data. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  /** A uniform bigint in [0, 2^bits), bits <= 64. */
  bits(bits: number): bigint {
    let value = 0n;
    for (let done = 0; done < bits; done += 16) value = (value << 16n) | BigInt(this.int(0, 0xffff));
    return value & ((1n << BigInt(bits)) - 1n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }
}

/** Names that collide under utf8mb4_general_ci but not byte for byte, plus quoting hazards. */
export const SPECIAL_NAMES: readonly string[] = [
  "Émile", "emile", "Emile", "EMILE", "émile",
  "eu", "EU", "Eu",
  "Zoë", "zoe", "ZOE",
  " leading", "  two spaces", "trailing", "trailing ",
  "o'brien", "O'Brien", "back\\slash",
  "Ärger", "arger",
  "Łódź", "lodz",
  "straße", "strase",
  "Zygmunt",
  "日本語",
  "😀 smile", "🎉 party",
];

const FIRST_NAMES = [
  "Anaïs", "Bruno", "Chloé", "Dario", "Eva", "Fatima", "Gérard", "Hana", "Ivan", "Jürgen", "Kai", "Léa", "Marta",
  "Noé", "Olga", "Pia", "Quentin", "Rosa", "Søren", "Tomás", "Ugo", "Vera", "Wen", "Xavier", "Yara", "Zoé",
];
const LAST_NAMES = ["Martin", "müller", "García", "rossi", "Öztürk", "Nguyen", "silva", "Kowalski", "Dubois", "smith"];

/** Country codes of customers: mostly upper case, a few lower-case spellings (equal under _ci), XX unknown. */
const CUSTOMER_COUNTRIES: readonly (string | null)[] = [
  "FR", "FR", "FR", "DE", "DE", "US", "US", "US", "GB", "JP", "BR", "IT", "ES", "fr", "de", "XX", null, null,
];

export const COUNTRIES: readonly CountryRow[] = [
  { code: "FR", name: "France", region: "Europe" },
  { code: "DE", name: "Germany", region: "Europe" },
  { code: "US", name: "United States", region: "Americas" },
  { code: "GB", name: "United Kingdom", region: "Europe" },
  { code: "JP", name: "Japan", region: "Asia" },
  { code: "BR", name: "Brazil", region: "Americas" },
  { code: "IT", name: "Italy", region: "Europe" },
  { code: "ES", name: "España", region: "europe" },
  { code: "CN", name: "China", region: "Asia" },
  { code: "AQ", name: "Antarctica", region: null },
];

/** commerce.product as examples/sandbox/commerce.sql loads it (the setup copies the live rows anyway). */
export const PRODUCT_SKUS = ["SKU-1001", "SKU-1002", "SKU-1003", "SKU-1004"] as const;
/** SKUs of orders not in product (`sku-1001` is, under the _ci collation). */
const OTHER_SKUS = ["SKU-9999", "SKU-0000", "sku-1001"];
const PRODUCT_PRICES: Record<string, string> = { "SKU-1001": "189.00", "SKU-1002": "49.90", "SKU-1003": "19.99", "SKU-1004": "129.50" };
const STATUSES: readonly (string | null)[] = ["new", "paid", "paid", "shipped", "shipped", "Shipped", "cancelled", null];

export const TWO_POW_40 = 1n << 40n;
/** Order customer ids that have no customer row (LEFT JOIN from dt_order finds NULLs). */
export const ORPHAN_CUSTOMER_IDS: readonly bigint[] = [555555555n, 555555556n, 777n * TWO_POW_40, 31337n];

function cents(prng: Prng, min: number, max: number): string {
  const value = prng.int(min * 100, max * 100);
  const sign = value < 0 ? "-" : "";
  const abs = Math.abs(value);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

function date(prng: Prng): string {
  const day = prng.int(0, 3650);
  return new Date(Date.UTC(2015, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
}

function customerIds(prng: Prng): bigint[] {
  const ids = new Set<bigint>();
  for (let id = 1n; id <= 100n; id++) ids.add(id);
  while (ids.size < 250) ids.add(BigInt(prng.int(101, 9_999_999)));
  for (let delta = -6n; delta <= 6n; delta += 2n) ids.add(TWO_POW_40 + delta);
  ids.add(TWO_POW_40 - 1n);
  ids.add(TWO_POW_40 * 3n + 17n);
  while (ids.size < 285) ids.add(TWO_POW_40 + prng.bits(24));
  while (ids.size < 296) ids.add(prng.bits(62) + 1n);
  ids.add(9223372036854775807n);
  ids.add(4294967296n);
  ids.add(4294967295n);
  while (ids.size < 300) ids.add(BigInt(prng.int(10_000_000, 19_999_999)));
  for (const orphan of ORPHAN_CUSTOMER_IDS) ids.delete(orphan);
  return [...ids];
}

/** The whole data set for `seed` (the same seed always gives the same rows). */
export function generateData(seed = DATA_SEED): DifferentialData {
  const prng = new Prng(seed);
  const customers: CustomerRow[] = customerIds(prng).map((customer_id, index) => {
    const name =
      index % 3 === 0
        ? (SPECIAL_NAMES[(index / 3) % SPECIAL_NAMES.length] as string)
        : `${prng.pick(FIRST_NAMES)} ${prng.pick(LAST_NAMES)}`;
    const email = prng.chance(0.1)
      ? null
      : prng.chance(0.2)
        ? `User${customer_id}@Example.COM`
        : `user${customer_id}@example.com`;
    return {
      customer_id,
      name,
      email,
      country: prng.pick(CUSTOMER_COUNTRIES),
      score: prng.chance(0.15) ? null : prng.int(-50, 1000),
      balance: prng.chance(0.05) ? "0.00" : cents(prng, -500, 99_999),
      rating: prng.chance(0.2) ? null : prng.int(0, 20) / 4,
      created: date(prng),
    };
  });
  // Every 10th customer has no orders.
  const buyers = customers.filter((_, index) => index % 10 !== 7).map((c) => c.customer_id);
  const orders: OrderRow[] = [];
  let orderId = 10_000n;
  for (let i = 0; i < 1500; i++) {
    orderId += BigInt(prng.int(1, 3));
    const customer_id = i % 150 === 149 ? prng.pick(ORPHAN_CUSTOMER_IDS) : prng.pick(buyers);
    const sku = prng.chance(0.9) ? prng.pick(PRODUCT_SKUS) : prng.pick(OTHER_SKUS);
    const price = PRODUCT_PRICES[sku] !== undefined && prng.chance(0.7) ? (PRODUCT_PRICES[sku] as string) : cents(prng, 1, 999);
    orders.push({ order_id: orderId, customer_id, sku, qty: prng.int(1, 10), price, status: prng.pick(STATUSES) });
  }
  return { customers, orders, countries: [...COUNTRIES] };
}

/** A SQL literal (default sql_mode: backslashes escape, so they are doubled). */
export function sqlLiteral(value: bigint | number | string | null): string {
  if (value === null) return "NULL";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`no SQL literal for ${value}`);
    return String(value);
  }
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/** One multi-row INSERT and the rows it holds. */
export interface InsertBatch<R> {
  sql: string;
  rows: readonly R[];
}

/** Multi-row INSERTs of `rows`, `batch` rows per statement, columns in the given order. */
export function insertBatches<R extends object>(table: string, columns: readonly (keyof R & string)[], rows: readonly R[], batch = 50): InsertBatch<R>[] {
  const batches: InsertBatch<R>[] = [];
  for (let start = 0; start < rows.length; start += batch) {
    const slice = rows.slice(start, start + batch);
    const values = slice.map((row) => `(${columns.map((column) => sqlLiteral(row[column] as bigint | number | string | null)).join(", ")})`);
    batches.push({ sql: `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${values.join(", ")}`, rows: slice });
  }
  return batches;
}

export function insertStatements<R extends object>(table: string, columns: readonly (keyof R & string)[], rows: readonly R[], batch = 50): string[] {
  return insertBatches(table, columns, rows, batch).map((b) => b.sql);
}

const hashVindex = new HashVindex();

/** The shard of keyspace `customer` that owns `customerId` (hash vindex, first keyspace-id byte). */
export function shardOf(customerId: bigint): Shard {
  const keyspaceId = hashVindex.mapValue(sqlInt(customerId));
  if (keyspaceId === null) throw new Error(`hash maps ${customerId} to no keyspace id`);
  return (keyspaceId[0] as number) < 0x80 ? "-80" : "80-";
}
