-- Recordings stored gzip-compressed (docs/architecture.md "Recordings"). size_bytes and sha256 stay those of the
-- uncompressed file (what the chain, the seal and every verifier see); the stored object's own size and SHA-256
-- are kept beside them, with its content coding. NULL content_encoding: an older recording, stored as written.
ALTER TABLE recorded_session
    ADD COLUMN content_encoding       varchar(16),
    ADD COLUMN stored_size_bytes      bigint,
    ADD COLUMN stored_sha256          char(64),
    ADD COLUMN cast_stored_size_bytes bigint,
    ADD COLUMN cast_stored_sha256     char(64);

-- the representation a download sent (its byte_range counts that representation's bytes)
ALTER TABLE download_audit ADD COLUMN content_encoding varchar(16);
