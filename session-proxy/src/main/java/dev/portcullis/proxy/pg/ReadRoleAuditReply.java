package dev.portcullis.proxy.pg;

import dev.portcullis.proxy.pg.codec.PgBackendMessages;
import dev.portcullis.proxy.pg.codec.PgMessages;
import dev.portcullis.proxy.pg.codec.PgProtocolException;
import dev.portcullis.proxy.pg.codec.PgReader;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The backend's answer to {@link ReadRoleAudit#QUERY}, frame by frame, on the session's own backend connection: the
 * session sends {@link #query()} once the backend is ready (its first ReadyForQuery, not relayed yet), hands every
 * backend frame to {@link #onMessage} instead of relaying it, and gets the verdict with the ReadyForQuery that ends
 * the answer. Nothing of it reaches the client. An error, a malformed answer or more than {@link #MAX_ROWS} rows
 * fail closed: the verdict refuses.
 */
public final class ReadRoleAuditReply {

    /** More findings than this are not kept: the credential is refused on the ones kept. */
    public static final int MAX_ROWS = 10_000;

    private static final byte ROW_DESCRIPTION = 'T';
    private static final byte DATA_ROW = 'D';
    private static final byte COMMAND_COMPLETE = 'C';
    private static final byte ERROR_RESPONSE = 'E';
    private static final byte NOTICE_RESPONSE = 'N';
    private static final byte PARAMETER_STATUS = 'S';
    private static final byte READY_FOR_QUERY = 'Z';

    private final long tempFileLimitKb;
    private final List<ReadRoleAudit.Row> rows = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private boolean truncated;

    /** @param tempFileLimitKb the session's temp_file_limit (the connection's, else the proxy's default) */
    public ReadRoleAuditReply(long tempFileLimitKb) {
        this.tempFileLimitKb = tempFileLimitKb;
    }

    /** The Query message to send to the backend. */
    public static Buffer query() {
        return PgMessages.query(ReadRoleAudit.QUERY);
    }

    /**
     * One backend frame (type byte, length, body) of the answer: null while the answer goes on, the verdict on its
     * ReadyForQuery. A ParameterStatus or NoticeResponse is not part of the answer; the caller may relay it.
     */
    public ReadRoleAudit.Verdict onMessage(byte type, Buffer frame) {
        try {
            switch (type) {
                case ROW_DESCRIPTION -> {
                    int n = PgReader.body(frame).readUnsignedShort();
                    if (n != ReadRoleAudit.COLUMNS.size()) {
                        failures.add("the audit answered " + n + " columns, not " + ReadRoleAudit.COLUMNS.size());
                    }
                }
                case DATA_ROW -> row(frame);
                case ERROR_RESPONSE -> {
                    PgBackendMessages.Fields f = PgBackendMessages.Fields.decode(frame);
                    failures.add("the audit query failed on the target: " + f.sqlstate() + " " + f.message());
                }
                case COMMAND_COMPLETE, NOTICE_RESPONSE, PARAMETER_STATUS -> {}
                case READY_FOR_QUERY -> {
                    return verdict();
                }
                default -> failures.add("the target answered the audit with message '" + (char) type + "'");
            }
        } catch (PgProtocolException | IndexOutOfBoundsException e) {
            failures.add("the target's answer to the audit is malformed: " + e.getMessage());
        }
        return null;
    }

    private void row(Buffer frame) {
        PgReader r = PgReader.body(frame);
        int n = r.readUnsignedShort();
        if (n != ReadRoleAudit.COLUMNS.size()) {
            failures.add("the audit answered a row of " + n + " columns");
            return;
        }
        if (rows.size() >= MAX_ROWS) {
            truncated = true;
            return;
        }
        String[] v = new String[n];
        for (int i = 0; i < n; i++) {
            int len = r.readInt();
            if (len < -1) {
                throw new PgProtocolException("DataRow value length " + len);
            }
            v[i] = len < 0 ? null : r.readSlice(len).toString(StandardCharsets.UTF_8);
        }
        rows.add(new ReadRoleAudit.Row(v[0], v[1], v[2], v[3]));
    }

    private ReadRoleAudit.Verdict verdict() {
        if (!failures.isEmpty()) {
            // an audit that did not run is a refusal, never a pass
            return new ReadRoleAudit.Verdict(failures);
        }
        ReadRoleAudit.Verdict v = ReadRoleAudit.evaluate(rows, tempFileLimitKb);
        if (truncated) {
            List<String> p = new ArrayList<>(v.problems());
            p.add("more than " + MAX_ROWS + " findings; the rest were not read");
            return new ReadRoleAudit.Verdict(p);
        }
        return v;
    }
}
