-- Schema of the sharded `customer` keyspace, loaded identically into every shard's database.
-- Both tables are sharded by hash(customer_id), so a customer's orders live on its shard.
-- No rows: the gateway inserts them, routing each row by its customer_id. A customer inserted without
-- a customer_id gets the next id of commerce.customer_seq; each order's order_id is also written to
-- the lookup table commerce.corder_keyspace_idx, so a query by order_id reaches one shard.
CREATE TABLE customer (
  customer_id BIGINT NOT NULL,
  email VARCHAR(128) NOT NULL,
  PRIMARY KEY (customer_id)
) ENGINE=InnoDB;

CREATE TABLE corder (
  order_id BIGINT NOT NULL,
  customer_id BIGINT NOT NULL,
  sku VARCHAR(128) NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  PRIMARY KEY (order_id),
  KEY corder_customer_id (customer_id)
) ENGINE=InnoDB;
