-- Command reviews decided by more than one approver (issue 15): a review of a connection with a two-person tag
-- (env=prod by default) needs two distinct approvers, like an access request; each approver's decision is a row.

ALTER TABLE review ADD COLUMN required_approvals int NOT NULL DEFAULT 1;

CREATE TABLE review_approval (
    review_id       varchar(100) NOT NULL REFERENCES review (id) ON DELETE CASCADE,
    approver        varchar(255) NOT NULL,
    decision        varchar(16)  NOT NULL,          -- APPROVE | DENY
    comment         varchar(2000),
    decided_at      timestamptz  NOT NULL,
    PRIMARY KEY (review_id, approver)
);
