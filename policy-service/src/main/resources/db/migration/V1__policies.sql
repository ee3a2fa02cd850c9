-- Policy documents as written, and the audit trail of every change.
CREATE TABLE policy (
    id          VARCHAR(128) PRIMARY KEY,
    version     BIGINT       NOT NULL,
    raw         TEXT         NOT NULL,
    updated_at  TIMESTAMPTZ  NOT NULL,
    updated_by  VARCHAR(255) NOT NULL
);

CREATE TABLE policy_change (
    id                BIGSERIAL    PRIMARY KEY,
    policy_id         VARCHAR(128) NOT NULL,
    operation         VARCHAR(16)  NOT NULL,
    version           BIGINT,
    previous_version  BIGINT,
    previous_raw      TEXT,
    changed_by        VARCHAR(255) NOT NULL,
    changed_at        TIMESTAMPTZ  NOT NULL
);

CREATE INDEX policy_change_policy_id ON policy_change (policy_id, id);
