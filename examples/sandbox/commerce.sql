-- Schema of the unsharded `commerce` keyspace (one database, one server).
-- Loaded into an empty database by the sandbox; it holds no USE or CREATE DATABASE on purpose.
CREATE TABLE product (
  sku VARCHAR(128) NOT NULL,
  description VARCHAR(128) NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  PRIMARY KEY (sku)
) ENGINE=InnoDB;

INSERT INTO product (sku, description, price) VALUES
  ('SKU-1001', 'Monitor', 189.00),
  ('SKU-1002', 'Keyboard', 49.90),
  ('SKU-1003', 'Mouse', 19.99),
  ('SKU-1004', 'USB-C dock', 129.50);

-- The sequence that gives customer.customer its customer_id (Vitess sequence table layout: one row,
-- id 0, holding the next id to reserve and how many ids a gateway reserves at a time).
CREATE TABLE customer_seq (
  id BIGINT NOT NULL,
  next_id BIGINT,
  cache BIGINT,
  PRIMARY KEY (id)
) ENGINE=InnoDB COMMENT 'vitess_sequence';

INSERT INTO customer_seq (id, next_id, cache) VALUES (0, 1, 100);

-- The lookup table of vindex corder_lookup: which keyspace id (so which customer shard) holds each
-- order. The gateway writes it along with customer.corder.
CREATE TABLE corder_keyspace_idx (
  order_id BIGINT NOT NULL,
  keyspace_id VARBINARY(10),
  PRIMARY KEY (order_id)
) ENGINE=InnoDB;
