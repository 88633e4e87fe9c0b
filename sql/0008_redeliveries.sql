-- A redelivery is a delivery of its own, as on GitHub: a new row (new id,
-- redelivery = true, its own attempts, status and times) that keeps the
-- guid of the delivery it replays, so receivers still de-duplicate by
-- X-GitHub-Delivery; the original keeps its record. The guid is therefore
-- no longer unique, and nothing sets a finished delivery pending again.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_guid_key;
DROP TRIGGER deliveries_requeue ON deliveries;
DROP FUNCTION delivery_requeue();
