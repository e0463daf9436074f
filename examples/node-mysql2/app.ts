/**
 * A plain mysql2 application talking to the shardgate sidecar exactly as it would talk to MySQL.
 *
 *   npm start                                  # terminal 1: sandbox shards + gateway on 127.0.0.1:15306
 *   node --import tsx examples/node-mysql2/app.ts   # terminal 2
 *
 * SHARDGATE_HOST / SHARDGATE_PORT / SHARDGATE_USER / SHARDGATE_PASSWORD override the defaults.
 */
import mysql from "mysql2/promise";

const pool = mysql.createPool({
  host: process.env.SHARDGATE_HOST ?? "127.0.0.1",
  port: Number(process.env.SHARDGATE_PORT ?? 15306),
  user: process.env.SHARDGATE_USER ?? "app",
  password: process.env.SHARDGATE_PASSWORD ?? "app-secret",
  database: "commerce",
  connectionLimit: 4,
});

try {
  const [products] = await pool.query("SELECT sku, description, price FROM product ORDER BY sku");
  console.table(products);

  // A transaction: shardgate pins one backend connection for it and releases it at COMMIT.
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

  const [[info]] = await pool.query<mysql.RowDataPacket[]>("SELECT @@version AS version, DATABASE() AS db, CONNECTION_ID() AS id");
  console.log("connected to", info);
} finally {
  await pool.end();
}
