-- Hooks whose receiver keeps failing are disabled by deploy-dispatch, as
-- GitLab and Svix do: at once when it answers 410 Gone, otherwise once
-- every delivery has failed for --hook-disable-after. The hook's
-- last_response says why; PATCHing it active again clears both columns.
ALTER TABLE hooks
    -- The first failed attempt since the last delivered one; NULL while
    -- the receiver answers.
    ADD COLUMN failing_since timestamptz,
    -- Why deploy-dispatch set active = false; NULL otherwise.
    ADD COLUMN disabled_reason text;
