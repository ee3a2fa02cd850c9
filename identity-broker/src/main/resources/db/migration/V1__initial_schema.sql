-- identity-broker schema. Times are timestamptz (UTC). Ids are UUIDs made by the broker.

CREATE TABLE agent (
    id              uuid PRIMARY KEY,
    name            varchar(63)  NOT NULL UNIQUE,   -- also the Keycloak clientId
    keycloak_id     varchar(64)  NOT NULL UNIQUE,   -- Keycloak's internal client id
    team            varchar(100) NOT NULL,
    owner           varchar(255) NOT NULL,          -- username of the human who answers for the agent
    description     varchar(1000),
    auth_method     varchar(32)  NOT NULL,          -- CLIENT_SECRET | JWKS_URL | JWKS
    enabled         boolean      NOT NULL,
    created_by      varchar(255) NOT NULL,
    created_at      timestamptz  NOT NULL,
    updated_at      timestamptz  NOT NULL
);

CREATE TABLE access_grant (
    id              uuid PRIMARY KEY,
    agent_id        uuid         NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
    connection      varchar(63)  NOT NULL,
    access          varchar(63)  NOT NULL,
    kind            varchar(16)  NOT NULL,          -- STANDING | JIT
    request_id      uuid,
    status          varchar(16)  NOT NULL,          -- ACTIVE | REVOKED | EXPIRED
    starts_at       timestamptz  NOT NULL,
    expires_at      timestamptz,                    -- null: until revoked
    created_by      varchar(255) NOT NULL,
    created_at      timestamptz  NOT NULL,
    ended_at        timestamptz,
    ended_by        varchar(255)
);
CREATE INDEX access_grant_lookup ON access_grant (agent_id, connection, access) WHERE status = 'ACTIVE';
CREATE INDEX access_grant_expiry ON access_grant (expires_at) WHERE status = 'ACTIVE';

CREATE TABLE access_request (
    id                  uuid PRIMARY KEY,
    agent_id            uuid         NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
    connection          varchar(63)  NOT NULL,
    access              varchar(63)  NOT NULL,
    duration_seconds    bigint       NOT NULL,
    reason              varchar(2000) NOT NULL,
    requested_by        varchar(255) NOT NULL,
    required_approvals  int          NOT NULL,
    status              varchar(16)  NOT NULL,      -- PENDING | APPROVED | DENIED | EXPIRED
    created_at          timestamptz  NOT NULL,
    expires_at          timestamptz  NOT NULL,      -- a pending request lapses here
    decided_at          timestamptz,
    grant_id            uuid
);
CREATE INDEX access_request_status ON access_request (status, created_at);

CREATE TABLE access_request_approval (
    request_id      uuid         NOT NULL REFERENCES access_request (id) ON DELETE CASCADE,
    approver        varchar(255) NOT NULL,
    decision        varchar(16)  NOT NULL,          -- APPROVE | DENY
    comment         varchar(2000),
    decided_at      timestamptz  NOT NULL,
    PRIMARY KEY (request_id, approver)
);

CREATE TABLE review (
    id              varchar(100) PRIMARY KEY,       -- review id chosen by session-proxy
    session_id      varchar(100),
    agent           varchar(63)  NOT NULL,
    connection      varchar(63)  NOT NULL,
    request         text,                           -- the held request as JSON (masked by the proxy)
    reasons         text,                           -- policy reasons as JSON array
    status          varchar(16)  NOT NULL,          -- PENDING | APPROVED | DENIED | EXPIRED
    requested_at    timestamptz  NOT NULL,
    expires_at      timestamptz  NOT NULL,
    decided_by      varchar(255),
    decided_at      timestamptz,
    comment         varchar(2000)
);
CREATE INDEX review_status ON review (status, requested_at);

CREATE TABLE audit_log (
    id              bigserial PRIMARY KEY,
    at              timestamptz  NOT NULL,
    actor           varchar(255) NOT NULL,
    action          varchar(64)  NOT NULL,
    target_type     varchar(32)  NOT NULL,
    target_id       varchar(100) NOT NULL,
    details         text
);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, at);
