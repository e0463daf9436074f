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
