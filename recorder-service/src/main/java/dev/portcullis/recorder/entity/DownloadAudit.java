package dev.portcullis.recorder.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** A recording download: who fetched which recording, which bytes, when, from where. */
@Entity
@Table(name = "download_audit")
public class DownloadAudit {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "session_id")
    public String sessionId;

    public String format;

    @Column(name = "byte_range")
    public String byteRange;

    /** The content coding sent ({@code gzip}), null for the uncompressed file; the byte range counts its bytes. */
    @Column(name = "content_encoding")
    public String contentEncoding;

    public String subject;
    public String username;

    @Column(name = "client_address")
    public String clientAddress;

    @Column(name = "downloaded_at")
    public OffsetDateTime downloadedAt;
}
