-- The task filter of the deployments list had no index of its own: its
-- page walked the repository's rows (or, as PostgreSQL preferred, every
-- repository's newer rows) for matches; 11 ms a page at 100,000
-- deployments against 1.5 ms for the other filters.
CREATE INDEX deployments_by_task ON deployments (repository_id, task, id DESC);
