/**
 * A Deno application talking to the shardgate sidecar exactly as it would talk to MySQL, with mysql2
 * from npm (resolved from node_modules through the repository's deno.json).
 *
 *   deno task start                           # terminal 1: sandbox shards + the gateway, on Deno
 *   deno run -A examples/deno-app/app.ts      # terminal 2 (needs --allow-net --allow-env at least)
 *
 * SHARDGATE_HOST / SHARDGATE_PORT / SHARDGATE_USER / SHARDGATE_PASSWORD override the defaults.
 */
import mysql from "mysql2/promise";

// Deno's own API; declared here so the file also typechecks with the repository's tsc.
declare const Deno: { env: { get(name: string): string | undefined }; version: { deno: string } };
const env = (name: string, fallback: string) => Deno.env.get(name) ?? fallback;

const pool = mysql.createPool({
  host: env("SHARDGATE_HOST", "127.0.0.1"),
  port: Number(env("SHARDGATE_PORT", "15306")),
  user: env("SHARDGATE_USER", "app"),
  password: env("SHARDGATE_PASSWORD", "app-secret"),
  database: "commerce",
  connectionLimit: 4,
});

try {
  const [products] = await pool.query<mysql.RowDataPacket[]>("SELECT sku, description, price FROM product ORDER BY sku");
  for (const p of products) console.log(`${p.sku}  ${p.description}  ${p.price}`);

  // A transaction: shardgate pins one backend connection for it and releases it at ROLLBACK/COMMIT.
  const connection = await pool.getConnection();
  try {
    await connection.beginTransaction();
    await connection.query("UPDATE product SET price = price + 1 WHERE sku = ?", ["SKU-1001"]);
    const [[row]] = await connection.query<mysql.RowDataPacket[]>("SELECT price FROM product WHERE sku = ?", ["SKU-1001"]);
    console.log("price inside the transaction:", row?.price);
    await connection.rollback();
  } finally {
    connection.release();
  }

  const [[info]] = await pool.query<mysql.RowDataPacket[]>("SELECT @@version AS version, DATABASE() AS db");
  console.log(`connected from Deno ${Deno.version.deno} to ${info?.version}, db ${info?.db}`);
} finally {
  await pool.end();
}
