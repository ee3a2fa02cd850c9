-- The order in which recordings are sealed (docs/architecture.md "Recordings"): each signed seal names its
-- own index and the recording sealed before it, so a whole recording deleted leaves a gap its successor vouches
-- for. One row per session, taken when its recording is first sealed and kept by a re-seal after a retry; kept
-- after retention deletes the recording (expired_at says so), so gaps by retention are told from deletions.
CREATE TABLE recording_ledger (
    idx           bigint       PRIMARY KEY,
    session_id    varchar(128) NOT NULL UNIQUE,
    prev_idx      bigint       NOT NULL,
    prev_session  varchar(128),
    sealed_at     timestamptz  NOT NULL DEFAULT now(),
    expired_at    timestamptz
);

ALTER TABLE recorded_session ADD COLUMN key_id varchar(64), ADD COLUMN ledger_idx bigint;
