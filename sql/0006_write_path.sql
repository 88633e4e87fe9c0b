-- The API's write path, lightened (figures in docs/performance.md and
-- bench/notes/).

-- Outbox payloads live until deploy-dispatch fans them out, seconds later:
-- compressing them (pglz, 7-10% of PostgreSQL's time on writes) buys
-- nothing. Store them uncompressed.
ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTERNAL;

-- A NOTIFY takes a database-wide lock at commit and holds it through the
-- WAL flush, so every API write that queued an event committed one at a
-- time (one outbox insert: 6.1k/s with 4 clients with it, 10.8k/s
-- without). The dispatchers poll the outbox instead (deploy-dispatch
-- --poll-ms, 25 ms by default); deliveries queued by pings and redeliveries
-- still notify.
DROP TRIGGER outbox_notify ON outbox;
