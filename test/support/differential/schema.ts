/**
 * The differential suite's tables: the same DDL on both shards of keyspace `customer` (created there
 * directly, setup is not under test) and in one plain database `diffplain` on the commerce server, plus
 * the vschema entries the gateway needs for them. Names start with `dt_` so no other test collides.
 */

/** The plain database the sharded answers are compared with (on the "commerce" server). */
export const PLAIN_DATABASE = "diffplain";

export const CREATE_PLAIN_DATABASE =
  `CREATE DATABASE IF NOT EXISTS ${PLAIN_DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`;

export const CUSTOMER_DDL = `CREATE TABLE dt_customer (
  customer_id BIGINT NOT NULL PRIMARY KEY,
  name VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL,
  email VARCHAR(128),
  country CHAR(2),
  score INT NULL,
  balance DECIMAL(12,2) NOT NULL,
  rating DOUBLE NULL,
  created DATE NOT NULL,
  KEY dt_customer_country (country)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci`;

export const ORDER_DDL = `CREATE TABLE dt_order (
  order_id BIGINT NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  sku VARCHAR(32) NOT NULL,
  qty INT NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  status VARCHAR(16),
  KEY dt_order_customer_id (customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci`;

export const COUNTRY_DDL = `CREATE TABLE dt_country (
  code CHAR(2) NOT NULL PRIMARY KEY,
  name VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci,
  region VARCHAR(16)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci`;

/** The plain copy of commerce's `product` (examples/sandbox/commerce.sql), same definition. */
export const PRODUCT_DDL = `CREATE TABLE product (
  sku VARCHAR(128) NOT NULL,
  description VARCHAR(128) NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  PRIMARY KEY (sku)
) ENGINE=InnoDB`;

/** Tables created on every shard of `customer` (dt_country is the reference table, on every shard). */
export const SHARD_TABLES: readonly { name: string; ddl: string }[] = [
  { name: "dt_customer", ddl: CUSTOMER_DDL },
  { name: "dt_order", ddl: ORDER_DDL },
  { name: "dt_country", ddl: COUNTRY_DDL },
];

/** Tables created in the plain database. */
export const PLAIN_TABLES: readonly { name: string; ddl: string }[] = [...SHARD_TABLES, { name: "product", ddl: PRODUCT_DDL }];

/** The sharded tables and their sharding column (the `hash` vindex's column). */
export const SHARDED_TABLES: readonly { name: string; key: string; primaryKey: string }[] = [
  { name: "dt_customer", key: "customer_id", primaryKey: "customer_id" },
  { name: "dt_order", key: "customer_id", primaryKey: "order_id" },
];

const hashOn = (column: string) => ({ column_vindexes: [{ column, name: "hash" }] });

/**
 * Vitess keyspace-VSchema table entries (authoritative column lists with Vitess type names, so a
 * planner can expand `*` across joins), added to `vschema.customer.tables`.
 */
export const DIFFERENTIAL_VSCHEMA_TABLES: Record<string, unknown> = {
  dt_customer: {
    ...hashOn("customer_id"),
    columns: [
      { name: "customer_id", type: "INT64" },
      { name: "name", type: "VARCHAR" },
      { name: "email", type: "VARCHAR" },
      { name: "country", type: "CHAR" },
      { name: "score", type: "INT32" },
      { name: "balance", type: "DECIMAL" },
      { name: "rating", type: "FLOAT64" },
      { name: "created", type: "DATE" },
    ],
    column_list_authoritative: true,
  },
  dt_order: {
    ...hashOn("customer_id"),
    columns: [
      { name: "order_id", type: "INT64" },
      { name: "customer_id", type: "INT64" },
      { name: "sku", type: "VARCHAR" },
      { name: "qty", type: "INT32" },
      { name: "price", type: "DECIMAL" },
      { name: "status", type: "VARCHAR" },
    ],
    column_list_authoritative: true,
  },
  dt_country: {
    type: "reference",
    columns: [
      { name: "code", type: "CHAR" },
      { name: "name", type: "VARCHAR" },
      { name: "region", type: "VARCHAR" },
    ],
    column_list_authoritative: true,
  },
};

/** For startTestGateway(change): adds the dt_ tables to the sandbox's `customer` vschema. */
export function addDifferentialVSchema(raw: Record<string, unknown>): void {
  const vschema = raw.vschema as Record<string, { tables?: Record<string, unknown> } | undefined> | undefined;
  const customer = vschema?.customer;
  if (customer === undefined) throw new Error("the sandbox config has no vschema.customer");
  customer.tables = { ...(customer.tables ?? {}), ...DIFFERENTIAL_VSCHEMA_TABLES };
}
