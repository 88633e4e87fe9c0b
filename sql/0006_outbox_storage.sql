-- Outbox payloads live until deploy-dispatch fans them out, seconds later:
-- compressing them (pglz, 7-10% of PostgreSQL's time on the write path, as
-- measured in bench/notes) buys nothing. Store them uncompressed.
ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTERNAL;
