-- One hourly request budget per token or client address, shared by every
-- API host (src/api/http/ratelimit.h). Hosts count requests locally and
-- ask here for a share of a budget at a time; this table is what was
-- handed out, never more than the limit.
CREATE TABLE rate_budgets (
    key bigint PRIMARY KEY,          -- ratelimit_key(): a token's or an address's hash
    window_start bigint NOT NULL,    -- epoch seconds, by the database's clock
    claimed bigint NOT NULL          -- requests handed out to hosts in this window
);

-- Grants up to p_want more requests of p_key's budget of p_limit an hour:
-- the window (a new one when the last ended), what all hosts were handed
-- in it, and what this call granted (0 once the budget is spent). The
-- upsert locks the row, so concurrent claims of one key queue behind each
-- other and never hand out more than the limit together. A claim lost to
-- a crash (synchronous_commit off) gives a host a share back, at most.
CREATE FUNCTION rate_budget_claim(p_key bigint, p_want bigint, p_limit bigint,
                                  OUT window_start bigint, OUT claimed bigint, OUT granted bigint)
LANGUAGE plpgsql AS $$
DECLARE
    now_s bigint := floor(extract(epoch FROM clock_timestamp()));
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    INSERT INTO rate_budgets AS b (key, window_start, claimed) VALUES (p_key, now_s, 0)
    ON CONFLICT (key) DO UPDATE
        SET window_start = CASE WHEN b.window_start + 3600 <= now_s THEN now_s ELSE b.window_start END,
            claimed = CASE WHEN b.window_start + 3600 <= now_s THEN 0 ELSE b.claimed END
    RETURNING b.window_start, b.claimed INTO window_start, claimed;
    granted := LEAST(p_want, GREATEST(p_limit - claimed, 0));
    IF granted > 0 THEN
        UPDATE rate_budgets SET claimed = rate_budgets.claimed + granted WHERE key = p_key;
        claimed := claimed + granted;
    END IF;
END
$$;
