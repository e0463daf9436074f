/** A sandbox-like configuration for planning without servers: tests of the planner and the plan primitives. */
import type { Network } from "../../src/core/socket.ts";

/** The sandbox's vschema: `customer` sharded by hash(customer_id), a reference table, `commerce` unsharded. */
export const PLANNER_CONFIG = `
listen:
  mysql: 127.0.0.1:15306
users:
  - user: app
    password: secret
topology:
  commerce:
    "-": { primary: "mysql://root@127.0.0.1:3306/commerce" }
  customer:
    "-80": { primary: "mysql://root@127.0.0.1:3307/customer" }
    "80-": { primary: "mysql://root@127.0.0.1:3308/customer" }
vschema:
  commerce:
    sharded: false
    tables:
      product: {}
  customer:
    sharded: true
    vindexes: { hash: { type: hash } }
    tables:
      customer: { column_vindexes: [{ column: customer_id, name: hash }] }
      corder: { column_vindexes: [{ column: customer_id, name: hash }] }
      country: { type: reference }
`;

/** Pools connect lazily; planning must never connect. */
export const NO_NETWORK: Network = {
  listen: () => Promise.reject(new Error("no listening in planner tests")),
  connect: () => {
    throw new Error("planning must not connect to a shard");
  },
};
