-- One row per session: filled while events arrive, final once the recording is stored.
CREATE TABLE recorded_session (
    session_id        varchar(128) PRIMARY KEY,
    agent             varchar(200),
    connection        varchar(200),
    protocol          varchar(200),
    tags              text,                    -- JSON object of the connection's tags
    started_at        timestamptz,             -- time of session.started
    ended_at          timestamptz,             -- time of session.ended
    first_event_at    timestamptz,             -- earliest event time seen
    first_seen_at     timestamptz NOT NULL DEFAULT now(),
    last_event_at     timestamptz NOT NULL DEFAULT now(),  -- when a new (not duplicate) event was last stored
    end_seq           bigint,                  -- seq of session.ended
    max_seq           bigint,
    buffered          bigint      NOT NULL DEFAULT 0,      -- distinct events staged
    status            varchar(16) NOT NULL DEFAULT 'recording'
                      CHECK (status IN ('recording', 'complete', 'incomplete')),
    ended             boolean,                 -- session.ended was received
    missing           text,                    -- missing seq ranges, e.g. "3-4,9"
    event_count       bigint      NOT NULL DEFAULT 0,
    request_count     bigint      NOT NULL DEFAULT 0,
    denial_count      bigint      NOT NULL DEFAULT 0,
    review_count      bigint      NOT NULL DEFAULT 0,
    object_key        varchar(300),
    size_bytes        bigint,
    sha256            char(64),
    chain_head        char(64),
    cast_key          varchar(300),
    cast_size_bytes   bigint,
    cast_sha256       char(64),
    finalized_at      timestamptz,
    lease_until       timestamptz              -- a finalizer is assembling it until then
);

CREATE INDEX recorded_session_open ON recorded_session (last_event_at) WHERE status = 'recording';
CREATE INDEX recorded_session_started ON recorded_session (started_at DESC);
CREATE INDEX recorded_session_agent ON recorded_session (agent, started_at DESC);
CREATE INDEX recorded_session_connection ON recorded_session (connection, started_at DESC);
CREATE INDEX recorded_session_finalized ON recorded_session (finalized_at) WHERE status <> 'recording';

-- Events of sessions still being recorded: the durable buffer that lets Kafka offsets be committed
-- before a recording is complete. (session_id, seq) makes redelivery idempotent.
CREATE TABLE session_event_buffer (
    session_id  varchar(128) NOT NULL,
    seq         bigint       NOT NULL,
    type        varchar(32)  NOT NULL,
    event_time  timestamptz,
    action      varchar(16),
    payload     text         NOT NULL,
    PRIMARY KEY (session_id, seq)
);

CREATE TABLE decision_log (
    decision_id     varchar(128) PRIMARY KEY,
    decided_at      timestamptz,
    agent           varchar(200),
    connection      varchar(200),
    session_id      varchar(128),
    protocol        varchar(64),
    action          varchar(16),
    rules           text,                      -- comma-separated rule ids
    policy_version  varchar(200),
    payload         text        NOT NULL,      -- the log as received (masked by policy-service)
    received_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX decision_log_time ON decision_log (decided_at DESC);
CREATE INDEX decision_log_agent ON decision_log (agent, decided_at DESC);
CREATE INDEX decision_log_session ON decision_log (session_id);

-- Every recording download, who and what.
CREATE TABLE download_audit (
    id              bigserial    PRIMARY KEY,
    session_id      varchar(128) NOT NULL,
    format          varchar(16)  NOT NULL,
    byte_range      varchar(64),
    subject         varchar(200) NOT NULL,
    username        varchar(200),
    client_address  varchar(100),
    downloaded_at   timestamptz  NOT NULL DEFAULT now()
);

CREATE INDEX download_audit_session ON download_audit (session_id, downloaded_at DESC);
