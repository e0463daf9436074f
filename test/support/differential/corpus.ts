/**
 * The differential corpus: statements run through the gateway (keyspace `customer`) and on the plain
 * database (`diffplain`), answers compared. Rules the entries follow:
 *
 * - `ordered: true` only when ORDER BY orders the rows totally (a unique key as the last tie-breaker),
 *   so the row order is part of the answer; otherwise rows are compared as multisets.
 * - LIMIT only under a total order (otherwise which rows come back is arbitrary).
 * - No text value is shown where MySQL picks an arbitrary spelling: groups, DISTINCT and UNION merge
 *   values equal under utf8mb4_general_ci ('FR'/'fr', 'Émile'/'emile', 'shipped'/'Shipped'), and which
 *   spelling represents the group depends on scan order. Those queries show UPPER()/LOWER() of the
 *   value, or only aggregates (MIN(customer_id) identifies a name group).
 * - `plainSql` when the plain database needs other text: `commerce.product` is plain `product`,
 *   `customer.dt_x` is `diffplain.dt_x`.
 *
 * Ids used below (data.ts, DATA_SEED): 1, 2, 3, 5, 9, 10 are on shard -80; 4, 6, 7, 8, 11, 12 on 80-
 * (checked by CORPUS_ASSUMPTIONS). Customers 8 and 18 have no orders (every 10th customer has none).
 */
import { generateData, shardOf, type Shard } from "./data.ts";

export interface CorpusQuery {
  sql: string;
  /** The plain database's text, when it differs (default: sql). */
  plainSql?: string;
  /** Rows must come in this order (ORDER BY is total); default: compared as multisets. */
  ordered?: boolean;
}

export interface CorpusGroup {
  name: string;
  queries: CorpusQuery[];
}

/** A write applied to both sides, then `verify` compared. */
export interface DmlStep {
  sql: string;
  plainSql?: string;
  verify: CorpusQuery;
}

/** A write the gateway must refuse (the plain database would run it); `verify` shows nothing changed. */
export interface GatewayOnlyError {
  sql: string;
  error: RegExp;
  verify: CorpusQuery;
}

/** A statement the gateway refuses as unsupported (ER_NOT_SUPPORTED_YET), never answering rows. */
export interface Refusal {
  sql: string;
}

const q = (sql: string): CorpusQuery => ({ sql });
const o = (sql: string): CorpusQuery => ({ sql, ordered: true });
/** Cross-keyspace: `commerce.product` is `product` in the plain database. */
const xp = (sql: string, ordered = false): CorpusQuery => ({ sql, plainSql: sql.replaceAll("commerce.product", "product"), ordered });
/** Qualified names: `customer.` is `diffplain.` in the plain database. */
const qk = (sql: string, ordered = false): CorpusQuery => ({ sql, plainSql: sql.replace(/\bcustomer\./g, "diffplain."), ordered });

/** What the hand-picked ids above assume about the data; the suite checks these first. */
export const CORPUS_ASSUMPTIONS: readonly { customerId: bigint; shard: Shard }[] = [
  ...[1n, 2n, 3n, 5n, 9n, 10n, 20000001n, 20000003n].map((customerId) => ({ customerId, shard: "-80" as Shard })),
  ...[4n, 6n, 7n, 8n, 11n, 12n, 20000002n, 20000006n, 20000007n].map((customerId) => ({ customerId, shard: "80-" as Shard })),
].map((a) => {
  if (shardOf(a.customerId) !== a.shard) throw new Error(`corpus assumption broken: ${a.customerId} is not on ${a.shard}`);
  return a;
});

const data = generateData();
/** 60 existing ids of all sizes (every 5th customer), spanning both shards. */
/** An existing order (of a customer with a row), for point reads and deletes by a non-vindex column. */
const SOME_ORDER = (data.orders[40] ?? { order_id: 0n }).order_id.toString();
const SIXTY_IDS = data.customers.filter((_, i) => i % 5 === 0).slice(0, 60).map((c) => c.customer_id).join(", ");

const POINT_SELECTS: CorpusQuery[] = [
  q("SELECT * FROM dt_customer WHERE customer_id = 5"),
  q("SELECT * FROM dt_customer WHERE customer_id = 4"),
  q("SELECT * FROM dt_customer WHERE customer_id = '5'"),
  q("SELECT * FROM dt_customer WHERE 5 = customer_id"),
  q("SELECT * FROM dt_customer WHERE '4' = customer_id"),
  q("SELECT name, email FROM dt_customer WHERE customer_id = 7"),
  q("SELECT customer_id, name FROM dt_customer WHERE customer_id = 5 AND country = 'JP'"),
  q("SELECT customer_id, name FROM dt_customer WHERE customer_id = 5 AND country = 'FR'"),
  q("SELECT customer_id, score FROM dt_customer WHERE customer_id = 1 AND score IS NOT NULL"),
  q("SELECT * FROM dt_customer WHERE customer_id = -7"),
  q("SELECT * FROM dt_customer WHERE customer_id = 9223372036854775807"),
  q("SELECT * FROM dt_customer WHERE customer_id = 1099511627776"),
  q("SELECT * FROM dt_customer WHERE customer_id = '1099511627775'"),
  q("SELECT * FROM dt_customer WHERE customer_id = 4294967296"),
  q("SELECT * FROM dt_customer WHERE customer_id = 4294967295"),
  q("SELECT * FROM dt_customer WHERE customer_id = 999999999999"),
  q("SELECT * FROM dt_customer WHERE customer_id = 1099511627777"),
  q("SELECT * FROM dt_customer WHERE customer_id = 0"),
  q("SELECT * FROM dt_customer WHERE customer_id = NULL"),
  q("SELECT * FROM dt_customer WHERE customer_id IS NULL"),
  q("SELECT * FROM dt_customer WHERE customer_id = 5 AND customer_id = 5"),
  q("SELECT * FROM dt_customer WHERE customer_id = 1 AND customer_id = 2"),
  q("SELECT * FROM dt_customer WHERE customer_id = 5 OR customer_id = 6"),
  q("SELECT * FROM dt_customer WHERE (customer_id = 9)"),
  q("SELECT * FROM dt_customer WHERE customer_id <=> 10"),
  // MySQL compares the BIGINT column numerically: these all find customer 5 (Vitess's hash maps a
  // DECIMAL, a DOUBLE, '5.0' or ' 5' to no keyspace id; the gateway must still answer like MySQL).
  q("SELECT customer_id FROM dt_customer WHERE customer_id = 5.0"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id = 5e0"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id = '5.0'"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id = ' 5'"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id = '05'"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id = 2 + 3"),
  q("SELECT customer_id, balance * 2 AS b2, score + 1, CONCAT(name, '/', country) AS nc, created + INTERVAL 1 DAY AS next_day FROM dt_customer WHERE customer_id = 5"),
  q("SELECT * FROM dt_order WHERE customer_id = 5"),
  q("SELECT order_id, qty FROM dt_order WHERE customer_id = 5 AND qty > 7"),
  q("SELECT * FROM dt_order WHERE customer_id = 8"),
  o("SELECT order_id, sku, price FROM dt_order WHERE customer_id = 6 ORDER BY price DESC, order_id"),
  q("SELECT COUNT(*), SUM(qty), MAX(price) FROM dt_order WHERE customer_id = 5"),
  q(`SELECT * FROM dt_order WHERE order_id = ${SOME_ORDER}`),
  q("SELECT name FROM dt_customer WHERE customer_id = 46"),
  q("SELECT name, LENGTH(name), CHAR_LENGTH(name) FROM dt_customer WHERE customer_id = 52"),
];

const IN_LISTS: CorpusQuery[] = [
  q("SELECT * FROM dt_customer WHERE customer_id IN (1, 2, 3, 4, 5, 6, 7, 8)"),
  q("SELECT customer_id, name FROM dt_customer WHERE customer_id IN (1, 4)"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id IN (5, 5, 6, 6, 5)"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id IN ('5', '6', '7')"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id IN (5, '6', 7)"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id IN (999999999, 888888888)"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id IN (1099511627776, 1099511627778, 1099511627777, 4294967296)"),
  q("SELECT customer_id, name FROM dt_customer WHERE customer_id IN (-7, 9223372036854775807)"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id IN (5, NULL)"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id NOT IN (1, 2, 3, 4, 5)"),
  q(`SELECT customer_id, country FROM dt_customer WHERE customer_id IN (${SIXTY_IDS})`),
  o(`SELECT customer_id, balance FROM dt_customer WHERE customer_id IN (${SIXTY_IDS}) ORDER BY balance DESC, customer_id`),
  o("SELECT customer_id, name FROM dt_customer WHERE customer_id IN (10, 9, 8, 7, 6, 5, 4, 3, 2, 1) ORDER BY customer_id"),
  q("SELECT order_id, customer_id FROM dt_order WHERE customer_id IN (1, 4, 5, 6)"),
  q("SELECT order_id FROM dt_order WHERE customer_id IN (5) AND qty > 3"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id IN (1, 2) OR customer_id IN (3, 4)"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id IN (1, 2, 3, 4) AND customer_id IN (3, 4, 5)"),
  q("SELECT customer_id, COUNT(*) FROM dt_order WHERE customer_id IN (1, 2, 3, 4, 5, 6) GROUP BY customer_id"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id IN (1, 4) AND name = 'EMILE'"),
];

const SCATTER_FILTERS: CorpusQuery[] = [
  q("SELECT customer_id, score FROM dt_customer WHERE score > 900"),
  q("SELECT customer_id FROM dt_customer WHERE score BETWEEN 100 AND 200"),
  q("SELECT customer_id, balance FROM dt_customer WHERE balance < 0"),
  q("SELECT customer_id, rating FROM dt_customer WHERE rating >= 4.5"),
  q("SELECT customer_id FROM dt_customer WHERE rating = 2.5"),
  q("SELECT customer_id, created FROM dt_customer WHERE created >= '2024-06-01'"),
  q("SELECT customer_id FROM dt_customer WHERE created BETWEEN '2018-01-01' AND '2018-12-31'"),
  q("SELECT customer_id, name FROM dt_customer WHERE name LIKE 'e%'"),
  q("SELECT customer_id, name FROM dt_customer WHERE name LIKE '%u%'"),
  q("SELECT customer_id, name FROM dt_customer WHERE name = 'emile'"),
  q("SELECT customer_id, name FROM dt_customer WHERE name = 'zoe'"),
  q("SELECT customer_id, name FROM dt_customer WHERE name = 'trailing'"),
  q("SELECT customer_id, name FROM dt_customer WHERE name LIKE 'trailing'"),
  q("SELECT customer_id, name FROM dt_customer WHERE name > 'x'"),
  q("SELECT customer_id FROM dt_customer WHERE score IS NULL"),
  q("SELECT customer_id FROM dt_customer WHERE rating IS NOT NULL AND email IS NULL"),
  q("SELECT customer_id FROM dt_customer WHERE country IS NULL"),
  q("SELECT customer_id, country FROM dt_customer WHERE country = 'FR'"),
  q("SELECT customer_id FROM dt_customer WHERE country IN ('FR', 'DE')"),
  q("SELECT customer_id FROM dt_customer WHERE country NOT IN ('FR', 'DE', 'US')"),
  q("SELECT customer_id, country, score FROM dt_customer WHERE country = 'FR' OR score > 950"),
  q("SELECT customer_id FROM dt_customer WHERE NOT (score > 100)"),
  q("SELECT customer_id FROM dt_customer WHERE COALESCE(score, 0) < 10"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id > 1000000"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id BETWEEN 1 AND 50"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id < 0"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id >= 1099511627776 AND customer_id < 1099512000000"),
  q("SELECT customer_id, email FROM dt_customer WHERE email LIKE '%@example.com'"),
  q("SELECT customer_id FROM dt_customer WHERE name REGEXP '^[a-z]'"),
  q("SELECT order_id, qty, price FROM dt_order WHERE qty * price > 5000"),
  q("SELECT order_id FROM dt_order WHERE status IS NULL AND qty = 1"),
  q("SELECT order_id, sku FROM dt_order WHERE sku = 'sku-1001'"),
  q("SELECT order_id FROM dt_order WHERE price = 19.99 AND qty >= 9"),
  q("SELECT order_id FROM dt_order WHERE status = 'SHIPPED' AND qty = 10"),
  q("SELECT customer_id FROM dt_customer WHERE 1 = 0"),
  q("SELECT customer_id FROM dt_customer WHERE score > 100000"),
  q("SELECT customer_id FROM dt_customer WHERE name = 'nobody at all'"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id = 5 OR score > 990"),
];

const ORDER_BY: CorpusQuery[] = [
  o("SELECT customer_id FROM dt_customer ORDER BY customer_id"),
  o("SELECT customer_id FROM dt_customer ORDER BY customer_id DESC"),
  o("SELECT customer_id, score FROM dt_customer ORDER BY score, customer_id"),
  o("SELECT customer_id, score FROM dt_customer ORDER BY score DESC, customer_id"),
  o("SELECT customer_id, balance FROM dt_customer ORDER BY balance, customer_id"),
  o("SELECT customer_id, balance FROM dt_customer ORDER BY balance DESC, customer_id DESC"),
  o("SELECT customer_id, rating FROM dt_customer ORDER BY rating, customer_id"),
  o("SELECT customer_id, rating FROM dt_customer ORDER BY rating DESC, customer_id"),
  o("SELECT customer_id, created FROM dt_customer ORDER BY created, customer_id"),
  o("SELECT customer_id, created FROM dt_customer ORDER BY created DESC, customer_id"),
  o("SELECT customer_id, name FROM dt_customer ORDER BY name, customer_id"),
  o("SELECT customer_id, name FROM dt_customer ORDER BY name DESC, customer_id"),
  o("SELECT customer_id, name FROM dt_customer ORDER BY name COLLATE utf8mb4_bin, customer_id"),
  o("SELECT customer_id, email FROM dt_customer ORDER BY email, customer_id"),
  o("SELECT customer_id, country, name FROM dt_customer ORDER BY country, name, customer_id"),
  o("SELECT customer_id, country, score FROM dt_customer ORDER BY country DESC, score, customer_id"),
  o("SELECT customer_id, score FROM dt_customer ORDER BY score * -1, customer_id"),
  o("SELECT customer_id, name FROM dt_customer ORDER BY CHAR_LENGTH(name), customer_id"),
  o("SELECT customer_id, balance + score AS total FROM dt_customer ORDER BY balance + score, customer_id"),
  o("SELECT customer_id, balance * 2 AS b2 FROM dt_customer ORDER BY b2, customer_id"),
  o("SELECT customer_id, score IS NULL AS missing FROM dt_customer ORDER BY missing, score, customer_id"),
  o("SELECT customer_id, name FROM dt_customer ORDER BY 2, 1"),
  o("SELECT customer_id, rating, score FROM dt_customer ORDER BY 2 DESC, 3, 1"),
  o("SELECT customer_id FROM dt_customer ORDER BY created, customer_id"),
  o("SELECT order_id, price, qty FROM dt_order ORDER BY price DESC, order_id"),
  o("SELECT order_id, sku FROM dt_order ORDER BY sku, order_id"),
  o("SELECT order_id, status FROM dt_order ORDER BY status DESC, order_id"),
  o("SELECT order_id, qty * price AS amount FROM dt_order ORDER BY amount DESC, order_id"),
  o("SELECT customer_id, name FROM dt_customer WHERE customer_id IN (1, 4, 7, 10, 13) ORDER BY name, customer_id DESC"),
  o("SELECT customer_id, rating * 2 AS r2 FROM dt_customer WHERE rating IS NOT NULL ORDER BY r2, customer_id"),
  // Ties in the ORDER BY: which of the tied rows comes first is arbitrary, so compared as multisets.
  q("SELECT customer_id, name FROM dt_customer ORDER BY name"),
  q("SELECT customer_id, country FROM dt_customer ORDER BY country"),
  q("SELECT order_id, qty FROM dt_order WHERE customer_id IN (1, 4) ORDER BY qty"),
];

const LIMITS: CorpusQuery[] = [
  o("SELECT customer_id FROM dt_customer ORDER BY customer_id LIMIT 10"),
  o("SELECT customer_id FROM dt_customer ORDER BY customer_id LIMIT 5, 10"),
  o("SELECT customer_id FROM dt_customer ORDER BY customer_id LIMIT 10 OFFSET 5"),
  o("SELECT customer_id FROM dt_customer ORDER BY customer_id DESC LIMIT 3"),
  o("SELECT customer_id FROM dt_customer ORDER BY customer_id LIMIT 0"),
  o("SELECT customer_id FROM dt_customer ORDER BY customer_id LIMIT 1000"),
  o("SELECT customer_id FROM dt_customer ORDER BY customer_id LIMIT 295, 10"),
  o("SELECT customer_id FROM dt_customer ORDER BY customer_id LIMIT 500, 10"),
  o("SELECT customer_id, name FROM dt_customer ORDER BY name, customer_id LIMIT 20"),
  o("SELECT customer_id, name FROM dt_customer ORDER BY name DESC, customer_id DESC LIMIT 7, 7"),
  o("SELECT * FROM dt_customer ORDER BY balance DESC, customer_id LIMIT 3"),
  o("SELECT customer_id, score FROM dt_customer ORDER BY score DESC, customer_id LIMIT 1"),
  o("SELECT customer_id, score FROM dt_customer ORDER BY score, customer_id LIMIT 12"),
  o("SELECT customer_id, rating FROM dt_customer ORDER BY rating DESC, customer_id LIMIT 5 OFFSET 20"),
  o("SELECT customer_id, created FROM dt_customer ORDER BY created, customer_id LIMIT 4"),
  o("SELECT customer_id FROM dt_customer WHERE score IS NULL ORDER BY customer_id LIMIT 3 OFFSET 2"),
  o("SELECT order_id FROM dt_order WHERE customer_id = 5 ORDER BY order_id LIMIT 2"),
  o("SELECT order_id, price FROM dt_order ORDER BY price, order_id LIMIT 25"),
  o("SELECT order_id, customer_id FROM dt_order WHERE sku = 'SKU-1003' ORDER BY customer_id DESC, order_id LIMIT 8"),
  o("SELECT customer_id, email FROM dt_customer WHERE country = 'US' ORDER BY email, customer_id LIMIT 6"),
  q("SELECT * FROM dt_customer WHERE customer_id = 5 LIMIT 1"),
  o("SELECT customer_id FROM dt_customer WHERE customer_id IN (1, 2, 3, 4, 5, 6) ORDER BY customer_id LIMIT 2, 2"),
];

const AGGREGATES: CorpusQuery[] = [
  q("SELECT COUNT(*) FROM dt_customer"),
  q("SELECT COUNT(*) FROM dt_order"),
  q("SELECT COUNT(*) AS n FROM dt_customer WHERE country = 'FR'"),
  q("SELECT COUNT(score), COUNT(rating), COUNT(email), COUNT(country) FROM dt_customer"),
  q("SELECT COUNT(1), COUNT(NULL) FROM dt_customer"),
  q("SELECT SUM(score), MIN(score), MAX(score), AVG(score) FROM dt_customer"),
  q("SELECT SUM(balance), MIN(balance), MAX(balance), AVG(balance) FROM dt_customer"),
  q("SELECT SUM(rating), MIN(rating), MAX(rating), AVG(rating) FROM dt_customer"),
  q("SELECT MIN(created), MAX(created) FROM dt_customer"),
  q("SELECT MIN(name), MAX(name) FROM dt_customer"),
  q("SELECT MIN(email), MAX(email) FROM dt_customer"),
  q("SELECT MIN(customer_id), MAX(customer_id), SUM(customer_id) FROM dt_customer"),
  q("SELECT COUNT(*), SUM(qty), AVG(qty), SUM(price), AVG(price), SUM(qty * price) FROM dt_order"),
  q("SELECT AVG(qty) FROM dt_order WHERE sku = 'SKU-1002'"),
  q("SELECT COUNT(*), SUM(score), AVG(score), MIN(name), MAX(rating) FROM dt_customer WHERE customer_id < -100"),
  q("SELECT COUNT(*), SUM(qty) FROM dt_order WHERE customer_id = 5"),
  q("SELECT COUNT(*) FROM dt_customer WHERE score IS NULL"),
  q("SELECT COUNT(*) + 1 AS n1, SUM(qty) / COUNT(*) AS ratio, MAX(qty) - MIN(qty) AS spread FROM dt_order"),
  q("SELECT SUM(score) * 2, AVG(balance) + 1 FROM dt_customer WHERE country = 'DE'"),
  q("SELECT COUNT(DISTINCT country), COUNT(DISTINCT UPPER(country)) FROM dt_customer"),
  q("SELECT COUNT(DISTINCT name) FROM dt_customer"),
  q("SELECT COUNT(DISTINCT customer_id) FROM dt_order"),
  q("SELECT SUM(DISTINCT qty), AVG(DISTINCT qty) FROM dt_order"),
  q("SELECT MAX(price), MIN(price) FROM dt_order WHERE status IS NULL"),
  q("SELECT GROUP_CONCAT(order_id ORDER BY order_id) FROM dt_order WHERE customer_id = 5"),
  q("SELECT BIT_OR(qty), BIT_AND(qty), BIT_XOR(qty) FROM dt_order"),
];

const GROUP_BY: CorpusQuery[] = [
  q("SELECT UPPER(country) AS c, COUNT(*) FROM dt_customer GROUP BY country"),
  q("SELECT LOWER(country), COUNT(*), SUM(balance), AVG(score) FROM dt_customer GROUP BY country"),
  q("SELECT COUNT(*), MIN(customer_id), MAX(score) FROM dt_customer GROUP BY country"),
  q("SELECT LOWER(status) AS s, COUNT(*) FROM dt_order GROUP BY status"),
  q("SELECT UPPER(sku), COUNT(*), SUM(qty), SUM(price) FROM dt_order GROUP BY sku"),
  q("SELECT customer_id, COUNT(*), SUM(price), AVG(qty) FROM dt_order GROUP BY customer_id"),
  q("SELECT YEAR(created), COUNT(*) FROM dt_customer GROUP BY YEAR(created)"),
  q("SELECT YEAR(created) AS y, COUNT(*) AS n FROM dt_customer GROUP BY y"),
  q("SELECT YEAR(created), MIN(balance), MAX(balance) FROM dt_customer GROUP BY 1"),
  q("SELECT UPPER(country), YEAR(created), COUNT(*) FROM dt_customer GROUP BY country, YEAR(created)"),
  q("SELECT score DIV 100 AS bucket, COUNT(*), AVG(rating) FROM dt_customer GROUP BY bucket"),
  q("SELECT rating, COUNT(*), AVG(score), SUM(balance) FROM dt_customer GROUP BY rating"),
  q("SELECT created, COUNT(*) FROM dt_customer GROUP BY created HAVING COUNT(*) > 1"),
  q("SELECT COUNT(*) AS n, MIN(customer_id) AS first_id FROM dt_customer GROUP BY name"),
  q("SELECT COUNT(*) AS n, MIN(customer_id) AS first_id, MAX(customer_id) AS last_id FROM dt_customer WHERE name LIKE 'e%' OR name LIKE 'z%' GROUP BY name"),
  q("SELECT country IS NULL AS no_country, COUNT(*) FROM dt_customer GROUP BY no_country"),
  q("SELECT qty, COUNT(*), SUM(price) FROM dt_order GROUP BY qty"),
  q("SELECT qty, LOWER(status), COUNT(*) FROM dt_order GROUP BY qty, status"),
  q("SELECT customer_id, COUNT(*) FROM dt_order WHERE customer_id IN (1, 2, 3, 4, 5) GROUP BY customer_id"),
  q("SELECT customer_id, MAX(price) FROM dt_order WHERE customer_id = 5 GROUP BY customer_id"),
  o("SELECT YEAR(created) AS y, COUNT(*) AS n FROM dt_customer GROUP BY y ORDER BY y"),
  o("SELECT YEAR(created) AS y, SUM(balance) AS total FROM dt_customer GROUP BY y ORDER BY total DESC, y"),
  o("SELECT UPPER(country) AS c, COUNT(*) AS n FROM dt_customer GROUP BY country ORDER BY n DESC, c"),
  o("SELECT qty, COUNT(*) FROM dt_order GROUP BY qty ORDER BY qty DESC"),
  o("SELECT customer_id, COUNT(*) AS n FROM dt_order GROUP BY customer_id ORDER BY customer_id LIMIT 15"),
  q("SELECT MONTH(created) AS m, COUNT(*), MIN(created), MAX(created) FROM dt_customer GROUP BY m"),
];

const HAVING: CorpusQuery[] = [
  q("SELECT customer_id, COUNT(*) AS n FROM dt_order GROUP BY customer_id HAVING n > 8"),
  q("SELECT customer_id, COUNT(*) FROM dt_order GROUP BY customer_id HAVING COUNT(*) > 8"),
  q("SELECT customer_id, SUM(price) FROM dt_order GROUP BY customer_id HAVING SUM(price) > 2500"),
  q("SELECT customer_id FROM dt_order GROUP BY customer_id HAVING MIN(qty) = 1 AND MAX(qty) = 10"),
  q("SELECT UPPER(country), AVG(score) AS a FROM dt_customer GROUP BY country HAVING a > 480"),
  q("SELECT COUNT(*) FROM dt_customer HAVING COUNT(*) > 10"),
  q("SELECT COUNT(*) FROM dt_customer HAVING COUNT(*) > 100000"),
  q("SELECT customer_id, COUNT(*) FROM dt_order GROUP BY customer_id HAVING customer_id > 1000000000"),
  q("SELECT YEAR(created) AS y, COUNT(*) AS n FROM dt_customer GROUP BY y HAVING n BETWEEN 25 AND 35"),
  q("SELECT customer_id, AVG(qty) AS a FROM dt_order GROUP BY customer_id HAVING a >= 8"),
  o("SELECT customer_id, SUM(qty) AS total FROM dt_order GROUP BY customer_id ORDER BY total DESC, customer_id LIMIT 10"),
  o("SELECT customer_id, COUNT(*) FROM dt_order GROUP BY customer_id ORDER BY COUNT(*) DESC, customer_id LIMIT 5"),
  o("SELECT customer_id, MAX(price) AS top FROM dt_order GROUP BY customer_id HAVING top > 900 ORDER BY top, customer_id"),
  o("SELECT customer_id, SUM(qty * price) AS spent FROM dt_order GROUP BY customer_id HAVING COUNT(*) >= 5 ORDER BY spent DESC, customer_id LIMIT 10 OFFSET 3"),
];

const DISTINCT: CorpusQuery[] = [
  q("SELECT DISTINCT UPPER(country) FROM dt_customer"),
  q("SELECT DISTINCT LOWER(status) FROM dt_order"),
  q("SELECT DISTINCT qty FROM dt_order"),
  q("SELECT DISTINCT customer_id FROM dt_order WHERE qty > 8"),
  q("SELECT DISTINCT UPPER(country), YEAR(created) FROM dt_customer"),
  q("SELECT DISTINCT qty, price FROM dt_order WHERE sku = 'SKU-1004'"),
  q("SELECT DISTINCT name FROM dt_customer WHERE name LIKE 'M%'"),
  q("SELECT DISTINCT customer_id % 7 AS r FROM dt_customer"),
  q("SELECT DISTINCT score IS NULL, rating IS NULL FROM dt_customer"),
  o("SELECT DISTINCT rating FROM dt_customer ORDER BY rating"),
  o("SELECT DISTINCT qty FROM dt_order ORDER BY qty DESC LIMIT 3"),
  o("SELECT DISTINCT created FROM dt_customer ORDER BY created LIMIT 10"),
  o("SELECT DISTINCT customer_id FROM dt_order ORDER BY customer_id DESC LIMIT 5, 5"),
  q("SELECT COUNT(DISTINCT customer_id), COUNT(DISTINCT sku) FROM dt_order"),
  q("SELECT DISTINCT LOWER(region) FROM dt_country"),
  q("SELECT DISTINCT sku FROM dt_order WHERE customer_id = 5"),
];

const JOINS: CorpusQuery[] = [
  q("SELECT o.order_id, c.name, o.qty FROM dt_order o JOIN dt_customer c ON o.customer_id = c.customer_id WHERE c.customer_id = 5"),
  q("SELECT o.order_id, c.name FROM dt_order o JOIN dt_customer c ON c.customer_id = o.customer_id WHERE o.qty = 10"),
  o("SELECT o.order_id, c.customer_id, c.country FROM dt_order o JOIN dt_customer c ON c.customer_id = o.customer_id ORDER BY o.order_id LIMIT 20"),
  o("SELECT c.name, o.order_id FROM dt_customer c JOIN dt_order o ON o.customer_id = c.customer_id WHERE c.country = 'DE' ORDER BY c.name, o.order_id LIMIT 15"),
  q("SELECT * FROM dt_customer c JOIN dt_order o ON o.customer_id = c.customer_id WHERE c.customer_id = 4"),
  q("SELECT customer_id, o.order_id FROM dt_customer JOIN dt_order o USING (customer_id) WHERE customer_id = 7"),
  q("SELECT c.customer_id, o.order_id FROM dt_customer c, dt_order o WHERE c.customer_id = o.customer_id AND c.customer_id = 9"),
  q("SELECT c.customer_id, COUNT(o.order_id) FROM dt_customer c LEFT JOIN dt_order o ON o.customer_id = c.customer_id GROUP BY c.customer_id"),
  q("SELECT c.customer_id FROM dt_customer c LEFT JOIN dt_order o ON o.customer_id = c.customer_id WHERE o.order_id IS NULL"),
  q("SELECT o.order_id, o.customer_id, c.name FROM dt_order o LEFT JOIN dt_customer c ON c.customer_id = o.customer_id WHERE c.customer_id IS NULL"),
  o("SELECT c.customer_id, o.order_id FROM dt_customer c LEFT JOIN dt_order o ON o.customer_id = c.customer_id WHERE c.customer_id IN (5, 8, 18) ORDER BY c.customer_id, o.order_id"),
  q("SELECT UPPER(c.country), SUM(o.qty), SUM(o.price) FROM dt_customer c JOIN dt_order o ON o.customer_id = c.customer_id GROUP BY c.country"),
  q("SELECT c.customer_id, k.name, k.region FROM dt_customer c JOIN dt_country k ON k.code = c.country WHERE c.customer_id IN (1, 4, 6, 9)"),
  q("SELECT LOWER(k.region), COUNT(*) FROM dt_customer c JOIN dt_country k ON k.code = c.country GROUP BY k.region"),
  q("SELECT k.code, COUNT(c.customer_id) FROM dt_country k LEFT JOIN dt_customer c ON c.country = k.code GROUP BY k.code"),
  q("SELECT c.customer_id, k.name FROM dt_customer c LEFT JOIN dt_country k ON k.code = c.country WHERE k.code IS NULL"),
  o("SELECT * FROM dt_country ORDER BY code"),
  q("SELECT COUNT(*) FROM dt_country WHERE region = 'europe'"),
  q("SELECT o.order_id, c.name, k.name FROM dt_order o JOIN dt_customer c ON c.customer_id = o.customer_id JOIN dt_country k ON k.code = c.country WHERE o.qty = 10"),
  xp("SELECT o.order_id, o.sku, p.description FROM dt_order o JOIN commerce.product p ON p.sku = o.sku WHERE o.customer_id = 5"),
  xp("SELECT o.order_id, o.price, p.price FROM dt_order o JOIN commerce.product p ON p.sku = o.sku WHERE o.price > p.price ORDER BY o.order_id LIMIT 10", true),
  q("SELECT a.customer_id, b.customer_id FROM dt_customer a JOIN dt_customer b ON a.name = b.name AND a.customer_id < b.customer_id"),
  q("SELECT c.customer_id, o.order_id FROM dt_customer c JOIN dt_order o ON o.qty = c.score DIV 100 WHERE c.customer_id < 10"),
  q("SELECT o1.order_id, o2.order_id FROM dt_order o1 JOIN dt_order o2 ON o2.order_id = o1.order_id + 1 WHERE o1.customer_id = 5"),
  q("SELECT c.customer_id, o.order_id FROM dt_customer c JOIN dt_order o ON o.order_id - 10000 = c.customer_id"),
];

const SUBQUERIES: CorpusQuery[] = [
  q("SELECT customer_id, name FROM dt_customer WHERE customer_id IN (SELECT customer_id FROM dt_order WHERE qty = 10)"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id IN (SELECT customer_id FROM dt_order WHERE sku = 'SKU-9999')"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id NOT IN (SELECT customer_id FROM dt_order)"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id IN (SELECT customer_id FROM dt_order WHERE customer_id IN (1, 4, 5, 6))"),
  q("SELECT customer_id, balance FROM dt_customer WHERE balance > (SELECT AVG(balance) FROM dt_customer)"),
  q("SELECT customer_id, score FROM dt_customer WHERE score = (SELECT MAX(score) FROM dt_customer)"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id = (SELECT MIN(customer_id) FROM dt_order)"),
  q("SELECT c.customer_id FROM dt_customer c WHERE EXISTS (SELECT 1 FROM dt_order o WHERE o.customer_id = c.customer_id AND o.qty = 10)"),
  q("SELECT c.customer_id FROM dt_customer c WHERE NOT EXISTS (SELECT 1 FROM dt_order o WHERE o.customer_id = c.customer_id)"),
  q("SELECT c.customer_id, (SELECT COUNT(*) FROM dt_order o WHERE o.customer_id = c.customer_id) AS n FROM dt_customer c WHERE c.customer_id <= 20"),
  q("SELECT c.customer_id, (SELECT MAX(o.price) FROM dt_order o WHERE o.customer_id = c.customer_id) AS top FROM dt_customer c WHERE c.country = 'JP'"),
  q("SELECT c.customer_id FROM dt_customer c WHERE (SELECT SUM(qty) FROM dt_order o WHERE o.customer_id = c.customer_id) > 60"),
  q("SELECT order_id FROM dt_order WHERE customer_id = 5 AND qty > (SELECT AVG(qty) FROM dt_order WHERE customer_id = 5)"),
  q("SELECT customer_id FROM dt_customer WHERE country IN (SELECT code FROM dt_country WHERE region = 'Asia')"),
  q("SELECT COUNT(*) FROM dt_order WHERE customer_id IN (SELECT customer_id FROM dt_customer WHERE country = 'FR')"),
  q("SELECT customer_id FROM dt_customer WHERE score > ALL (SELECT qty * 90 FROM dt_order WHERE customer_id = 5)"),
  q("SELECT customer_id FROM dt_customer WHERE rating < ANY (SELECT rating FROM dt_customer WHERE country = 'IT')"),
  xp("SELECT order_id FROM dt_order WHERE sku IN (SELECT sku FROM commerce.product WHERE price > 100) AND qty = 10"),
  xp("SELECT order_id, price FROM dt_order WHERE price > (SELECT MAX(price) FROM commerce.product)"),
  xp("SELECT order_id, sku FROM dt_order WHERE sku NOT IN (SELECT sku FROM commerce.product)"),
];

const DERIVED: CorpusQuery[] = [
  // The brief's `SELECT country, n ...` would show an arbitrary spelling of the FR/fr group.
  o("SELECT t.customer_id, t.total FROM (SELECT customer_id, SUM(qty * price) AS total FROM dt_order GROUP BY customer_id) t WHERE t.total > 3000 ORDER BY t.total DESC, t.customer_id"),
  q("SELECT COUNT(*) FROM (SELECT DISTINCT customer_id FROM dt_order) t"),
  q("SELECT MAX(n), MIN(n), AVG(n) FROM (SELECT customer_id, COUNT(*) n FROM dt_order GROUP BY customer_id) t"),
  q("SELECT * FROM (SELECT customer_id, name FROM dt_customer WHERE customer_id = 5) AS t"),
  q("SELECT t.y, COUNT(*) FROM (SELECT YEAR(created) AS y FROM dt_customer) t GROUP BY t.y"),
  q("WITH t AS (SELECT customer_id, COUNT(*) n FROM dt_order GROUP BY customer_id) SELECT n, COUNT(*) FROM t GROUP BY n"),
  q("SELECT b.bucket, COUNT(*) FROM (SELECT score DIV 250 AS bucket FROM dt_customer WHERE score IS NOT NULL) b GROUP BY b.bucket"),
  q("SELECT SUM(t.s) FROM (SELECT customer_id, SUM(price) s FROM dt_order GROUP BY customer_id HAVING COUNT(*) > 6) t"),
  // Derived tables over scattered aggregates: the gateway merges the groups, then runs the outer query on them.
  q("SELECT qty, n FROM (SELECT qty, COUNT(*) AS n FROM dt_order GROUP BY qty) t WHERE n > 100"),
  o("SELECT t.qty, t.total FROM (SELECT qty, SUM(price) AS total FROM dt_order GROUP BY qty) t ORDER BY t.total DESC, t.qty LIMIT 5"),
  q("SELECT y AS year_created, n FROM (SELECT YEAR(created) AS y, COUNT(*) AS n FROM dt_customer GROUP BY y) d WHERE n BETWEEN 10 AND 60"),
  o("SELECT * FROM (SELECT customer_id, score FROM dt_customer ORDER BY score DESC, customer_id LIMIT 10) t ORDER BY customer_id"),
  o("SELECT created, n FROM (SELECT created, COUNT(*) AS n FROM dt_customer GROUP BY created) t WHERE n >= 2 ORDER BY n DESC, created LIMIT 3"),
];

const UNIONS: CorpusQuery[] = [
  q("SELECT customer_id FROM dt_customer WHERE country = 'JP' UNION SELECT customer_id FROM dt_order WHERE qty = 10"),
  q("SELECT customer_id FROM dt_customer WHERE country = 'JP' UNION ALL SELECT customer_id FROM dt_order WHERE qty = 10"),
  o("SELECT customer_id FROM dt_customer WHERE country = 'JP' UNION SELECT customer_id FROM dt_order WHERE qty = 10 ORDER BY customer_id LIMIT 15"),
  o("(SELECT customer_id FROM dt_customer WHERE score > 900) UNION ALL (SELECT customer_id FROM dt_customer WHERE rating = 5) ORDER BY customer_id DESC LIMIT 10"),
  o("SELECT customer_id, 'c' AS src FROM dt_customer WHERE customer_id < 10 UNION ALL SELECT order_id, 'o' FROM dt_order WHERE customer_id = 5 ORDER BY src, customer_id"),
  q("SELECT customer_id FROM dt_order WHERE customer_id = 5 UNION SELECT customer_id FROM dt_customer WHERE customer_id = 5"),
  q("SELECT email FROM dt_customer WHERE country = 'FR' UNION SELECT email FROM dt_customer WHERE score > 900"),
  q("SELECT score FROM dt_customer WHERE customer_id = 5 UNION ALL SELECT balance FROM dt_customer WHERE customer_id = 6"),
  q("SELECT code FROM dt_country UNION SELECT UPPER(country) FROM dt_customer WHERE country IS NOT NULL"),
  q("SELECT name FROM dt_customer WHERE customer_id IN (1, 4, 7) UNION ALL SELECT name FROM dt_customer WHERE customer_id IN (10, 13)"),
  o("SELECT customer_id, name FROM dt_customer WHERE name = 'emile' UNION ALL SELECT customer_id, name FROM dt_customer WHERE name = 'zoe' ORDER BY name, customer_id"),
  q("SELECT qty FROM dt_order WHERE customer_id = 4 UNION SELECT qty FROM dt_order WHERE customer_id = 5"),
];

const LITERALS_AND_NAMES: CorpusQuery[] = [
  q("SELECT 1e3 AS sci, customer_id FROM dt_customer WHERE customer_id = 5"),
  q("SELECT _utf8mb4'abc' AS intro, name FROM dt_customer WHERE customer_id = 7"),
  q("SELECT N'Zoë' AS national, customer_id FROM dt_customer WHERE name = N'Zoë'"),
  q("SELECT customer_id /*! , name */ FROM dt_customer WHERE customer_id = 3"),
  q("SELECT /*! SQL_NO_CACHE */ customer_id FROM dt_customer WHERE customer_id = 4"),
  q("SELECT /*+ MAX_EXECUTION_TIME(1000) */ customer_id, score FROM dt_customer WHERE country = 'BR'"),
  q("SELECT customer_id FROM dt_customer /* a comment */ WHERE customer_id = 6 -- trailing comment"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id = 10 # hash comment"),
  q("SELECT `customer_id`, `name` FROM `dt_customer` WHERE `customer_id` = 9"),
  q("SELECT c.* FROM dt_customer AS c WHERE c.customer_id = 11"),
  q("select customer_id, NAME from dt_customer where CUSTOMER_ID = 12"),
  q("SELECT\n  customer_id,\n  score\nFROM\n  dt_customer\nWHERE\n  customer_id IN (1,\n 4)"),
  q("SELECT customer_id FROM dt_customer WHERE name = 'o''brien'"),
  q("SELECT customer_id FROM dt_customer WHERE name = 'o\\'brien'"),
  q(`SELECT customer_id FROM dt_customer WHERE name = "O'Brien"`),
  q("SELECT customer_id, name FROM dt_customer WHERE name = 'back\\\\slash'"),
  q("SELECT customer_id FROM dt_customer WHERE customer_id = 0xA"),
  q("SELECT 1 + 1 AS two, 'x' AS x, NULL AS n, 1e3, 0.1 + 0.2, -0.0, TRUE, FALSE"),
  q("SELECT customer_id, customer_id + 0.5, customer_id * 1.0, score / 3, score DIV 3, score % 7 FROM dt_customer WHERE customer_id IN (1, 4)"),
  q("SELECT customer_id, CAST(balance AS SIGNED), CAST(score AS CHAR), CAST(created AS DATETIME) FROM dt_customer WHERE customer_id = 5"),
  qk("SELECT customer_id, name FROM customer.dt_customer WHERE customer_id = 5"),
  qk("SELECT COUNT(*) FROM customer.dt_order WHERE qty = 3"),
  qk("SELECT c.customer_id, o.order_id FROM customer.dt_customer c JOIN customer.dt_order o ON o.customer_id = c.customer_id WHERE c.customer_id = 6"),
  qk("SELECT customer.dt_customer.customer_id FROM customer.dt_customer WHERE customer.dt_customer.customer_id IN (1, 4)"),
  q("SELECT customer_id AS `select`, name AS `from` FROM dt_customer WHERE customer_id = 1"),
  q("SELECT customer_id, 'it''s' AS quoted, 'tab\\there' AS with_tab, '' AS blank FROM dt_customer WHERE customer_id = 2"),
];

export const READ_GROUPS: readonly CorpusGroup[] = [
  { name: "point selects", queries: POINT_SELECTS },
  { name: "IN lists", queries: IN_LISTS },
  { name: "scatter filters", queries: SCATTER_FILTERS },
  { name: "scatter ORDER BY", queries: ORDER_BY },
  { name: "LIMIT and OFFSET", queries: LIMITS },
  { name: "aggregates", queries: AGGREGATES },
  { name: "GROUP BY", queries: GROUP_BY },
  { name: "HAVING and ORDER BY aggregate", queries: HAVING },
  { name: "DISTINCT", queries: DISTINCT },
  { name: "joins", queries: JOINS },
  { name: "subqueries", queries: SUBQUERIES },
  { name: "derived tables", queries: DERIVED },
  { name: "UNION", queries: UNIONS },
  { name: "literals, comments and names", queries: LITERALS_AND_NAMES },
];

const NEW_CUSTOMERS = "SELECT * FROM dt_customer WHERE customer_id BETWEEN 20000001 AND 20000009 ORDER BY customer_id";

/** Run in order, after the reads; each applied to both sides, then its `verify` compared. */
export const DML_STEPS: readonly DmlStep[] = [
  {
    sql: `INSERT INTO dt_customer (customer_id, name, email, country, score, balance, rating, created) VALUES
      (20000001, 'Nouveau', 'n1@example.com', 'FR', 10, 100.10, 1.5, '2025-01-01'),
      (20000002, 'nouveau', NULL, 'fr', NULL, -5.55, NULL, '2025-01-02'),
      (20000003, 'Ünïcödé', 'n3@example.com', 'DE', 30, 0.01, 0.25, '2025-01-03'),
      (20000006, 'o''neil', 'n6@example.com', NULL, 60, 99999.99, 5, '2025-01-06')`,
    verify: o(NEW_CUSTOMERS),
  },
  {
    sql: `INSERT INTO dt_order (order_id, customer_id, sku, qty, price, status) VALUES
      (90001, 20000001, 'SKU-1001', 1, 189.00, 'new'), (90002, 20000002, 'SKU-1002', 2, 49.90, 'new'),
      (90003, 20000006, 'SKU-9999', 3, 5.00, NULL), (90004, 5, 'SKU-1003', 4, 19.99, 'paid')`,
    verify: o("SELECT * FROM dt_order WHERE order_id >= 90001 ORDER BY order_id"),
  },
  {
    sql: `INSERT INTO dt_customer (customer_id, name, balance, created) VALUES
      (5, 'five', 1.00, '2020-01-01'), (4, 'four', 2.00, '2020-01-01'), (20000007, 'seven', 7.00, '2025-01-07')
      ON DUPLICATE KEY UPDATE balance = balance + VALUES(balance), name = CONCAT(name, '+')`,
    verify: o("SELECT * FROM dt_customer WHERE customer_id IN (4, 5, 20000007) ORDER BY customer_id"),
  },
  {
    // Negative ids: the hash vindex takes an INT64's two's complement (-7 is on 80-, -2^40 on -80).
    sql: `INSERT INTO dt_customer (customer_id, name, email, country, score, balance, rating, created) VALUES
      (-7, 'négatif', NULL, 'US', -7, -7.77, 0.75, '2015-01-07'),
      (-1099511627776, 'NEGATIVE', 'neg@example.com', 'fr', NULL, 0.00, NULL, '2019-12-31')`,
    verify: o("SELECT * FROM dt_customer WHERE customer_id IN (-7, -1099511627776, 7) ORDER BY customer_id"),
  },
  {
    sql: "INSERT INTO dt_order (order_id, customer_id, sku, qty, price, status) VALUES (90005, -7, 'SKU-1004', 2, 129.50, 'new'), (90006, -1099511627776, 'sku-1001', 1, 1.00, NULL)",
    verify: q("SELECT o.order_id, c.name, o.qty FROM dt_order o JOIN dt_customer c ON c.customer_id = o.customer_id WHERE o.customer_id = -7"),
  },
  {
    sql: "UPDATE dt_customer SET score = score + 1, rating = 1.25 WHERE customer_id = 7",
    verify: o("SELECT * FROM dt_customer WHERE customer_id = 7 ORDER BY customer_id"),
  },
  {
    sql: "UPDATE dt_customer SET email = 'nine@example.net' WHERE customer_id = '9'",
    verify: o("SELECT customer_id, email FROM dt_customer WHERE customer_id = 9 ORDER BY customer_id"),
  },
  {
    sql: "UPDATE dt_order SET status = 'paid' WHERE customer_id IN (1, 2, 3, 4)",
    verify: o("SELECT order_id, status FROM dt_order WHERE customer_id IN (1, 2, 3, 4) ORDER BY order_id"),
  },
  {
    sql: "UPDATE dt_customer SET balance = balance + 10 WHERE country = 'FR'",
    verify: o("SELECT customer_id, balance FROM dt_customer WHERE country = 'FR' ORDER BY customer_id"),
  },
  {
    sql: "UPDATE dt_order SET qty = qty WHERE customer_id = 5",
    verify: o("SELECT order_id, qty FROM dt_order WHERE customer_id = 5 ORDER BY order_id"),
  },
  {
    sql: "UPDATE dt_customer SET score = 0 WHERE score > 100000",
    verify: q("SELECT COUNT(*) FROM dt_customer WHERE score = 0"),
  },
  {
    sql: "DELETE FROM dt_order WHERE customer_id = 6",
    verify: q("SELECT COUNT(*) FROM dt_order WHERE customer_id = 6"),
  },
  {
    sql: "DELETE FROM dt_order WHERE order_id = 10124",
    verify: q(`SELECT * FROM dt_order WHERE order_id = ${SOME_ORDER}`),
  },
  {
    sql: "DELETE FROM dt_order WHERE qty = 1 AND status IS NULL",
    verify: q("SELECT COUNT(*), SUM(qty), SUM(price) FROM dt_order"),
  },
  {
    sql: "DELETE FROM dt_customer WHERE customer_id IN (20000001, 20000002)",
    verify: o(NEW_CUSTOMERS),
  },
  {
    sql: "DELETE FROM dt_customer WHERE score IS NULL AND rating IS NULL",
    verify: q("SELECT COUNT(*), SUM(balance) FROM dt_customer"),
  },
];

/** After DML_STEPS: the gateway refuses these (vindex column changes); the plain side is not touched. */
export const ERRORS_ONLY_ON_GATEWAY: readonly GatewayOnlyError[] = [
  {
    sql: "UPDATE dt_customer SET customer_id = 424242 WHERE customer_id = 8",
    error: /customer_id|vindex/i,
    verify: o("SELECT * FROM dt_customer WHERE customer_id IN (8, 424242) ORDER BY customer_id"),
  },
  {
    sql: "UPDATE dt_order SET customer_id = customer_id + 1 WHERE qty = 10",
    error: /customer_id|vindex/i,
    verify: q("SELECT COUNT(*), SUM(customer_id) FROM dt_order WHERE qty = 10"),
  },
  {
    sql: "INSERT INTO dt_customer (customer_id, name, balance, created) VALUES (5, 'x', 0, '2020-01-01') ON DUPLICATE KEY UPDATE customer_id = 424243",
    error: /customer_id|vindex/i,
    verify: o("SELECT * FROM dt_customer WHERE customer_id IN (5, 424243) ORDER BY customer_id"),
  },
];

/** Compared last: the whole tables after every write. */
export const FINAL_STATE: readonly CorpusQuery[] = [
  o("SELECT * FROM dt_customer ORDER BY customer_id"),
  o("SELECT * FROM dt_order ORDER BY order_id"),
];

/**
 * Shapes shardgate refuses (1235), never answering rows: window functions over a scatter, aggregates it
 * cannot merge exactly, GROUP BY over a join the gateway performs, outer queries over a derived table
 * whose rows must first be merged at the gateway, and a deduplicating UNION of SELECT *.
 */
export const REFUSALS: readonly Refusal[] = [
  { sql: "SELECT COUNT(DISTINCT sku, qty) FROM dt_order" },
  { sql: "SELECT GROUP_CONCAT(customer_id ORDER BY customer_id SEPARATOR ';') FROM dt_customer WHERE country = 'IT'" },
  { sql: "SELECT p.description, SUM(o.qty), COUNT(*) FROM dt_order o JOIN commerce.product p ON p.sku = o.sku GROUP BY p.description" },
  { sql: "SELECT p.sku, COUNT(o.order_id) FROM commerce.product p LEFT JOIN dt_order o ON o.sku = p.sku GROUP BY p.sku" },
  { sql: "SELECT UPPER(country) AS country, n FROM (SELECT country, COUNT(*) n FROM dt_customer GROUP BY country) t WHERE n > 3" },
  { sql: "SELECT c.customer_id, t.n FROM dt_customer c JOIN (SELECT customer_id, COUNT(*) n FROM dt_order GROUP BY customer_id) t ON t.customer_id = c.customer_id WHERE c.country = 'JP'" },
  { sql: "SELECT * FROM dt_customer WHERE customer_id = 1 UNION SELECT * FROM dt_customer WHERE customer_id = 4" },
  { sql: "SELECT name, ROW_NUMBER() OVER (ORDER BY customer_id) AS rn FROM dt_customer" },
  { sql: "SELECT customer_id, RANK() OVER (PARTITION BY country ORDER BY score) AS r FROM dt_customer" },
  { sql: "SELECT customer_id, SUM(balance) OVER () AS total FROM dt_customer" },
  { sql: "SELECT customer_id, LAG(score) OVER (ORDER BY customer_id) AS prev FROM dt_customer WHERE country = 'FR'" },
];

export function corpusSize(): number {
  return READ_GROUPS.reduce((n, group) => n + group.queries.length, 0);
}
