-- The example's own table (run by spring.sql.init); the orchestrator's tables are the store's.
CREATE TABLE IF NOT EXISTS shop_orders (
  order_number VARCHAR(40) NOT NULL PRIMARY KEY,
  customer VARCHAR(200) NOT NULL,
  amount_cents BIGINT NOT NULL,
  invoice_job VARCHAR(36) NOT NULL
);
