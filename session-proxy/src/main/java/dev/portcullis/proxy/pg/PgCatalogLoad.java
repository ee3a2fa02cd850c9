package dev.portcullis.proxy.pg;

import static dev.portcullis.proxy.pg.codec.PgProtocol.*;

import dev.portcullis.proxy.pg.catalog.PgCatalog;
import dev.portcullis.proxy.pg.codec.PgBackendMessages;
import dev.portcullis.proxy.pg.codec.PgMessages;
import dev.portcullis.proxy.pg.codec.PgProtocolException;
import dev.portcullis.proxy.pg.codec.PgReader;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The backend's answer to {@link PgCatalog#LOAD_SQL}, run as a simple Query on the session's own backend connection
 * while the backend is idle: the session hands each backend frame to {@link #onMessage} instead of relaying it, and
 * gets the snapshot with the ReadyForQuery that ends the answer. Nothing of it reaches the client. An error, a
 * malformed answer or more than {@link #MAX_ROWS} rows give {@link PgCatalog#EMPTY} with the reason (fail closed:
 * nothing is read-only by the catalog, masking is strictest).
 */
final class PgCatalogLoad {

    /** A catalog bigger than this is not held; the session works with {@link PgCatalog#EMPTY}. */
    static final int MAX_ROWS = 500_000;

    /** The outcome: the snapshot, or EMPTY with why. */
    record Result(PgCatalog catalog, String failure, byte txStatus) {
        boolean failed() {
            return failure != null;
        }
    }

    private final List<String[]> rows = new ArrayList<>();
    private String failure;

    /** The Query message to send. */
    static Buffer query() {
        return PgMessages.query(PgCatalog.LOAD_SQL);
    }

    /**
     * Whether a frame that arrives during the load is the load's: notices, notifications and parameter changes are
     * not, and take the session's usual path.
     */
    static boolean isPartOfAnswer(byte type) {
        return type != NOTICE_RESPONSE && type != NOTIFICATION_RESPONSE && type != PARAMETER_STATUS;
    }

    /** One frame of the answer: null while it goes on, the result on its ReadyForQuery. */
    Result onMessage(byte type, Buffer frame) {
        try {
            switch (type) {
                case ROW_DESCRIPTION -> {
                    int n = PgReader.body(frame).readUnsignedShort();
                    if (n != 6) {
                        fail("the catalog query answered " + n + " columns");
                    }
                }
                case DATA_ROW -> row(frame);
                case COMMAND_COMPLETE -> {}
                case ERROR_RESPONSE -> {
                    PgBackendMessages.Fields f = PgBackendMessages.Fields.decode(frame);
                    fail("the catalog query failed on the target: " + f.sqlstate() + " " + f.message());
                }
                case READY_FOR_QUERY -> {
                    return result(frame.getByte(5));
                }
                default -> fail("the target answered the catalog query with message '" + (char) type + "'");
            }
        } catch (PgProtocolException | IndexOutOfBoundsException e) {
            fail("the target's answer to the catalog query is malformed: " + e.getMessage());
        }
        return null;
    }

    private void row(Buffer frame) {
        if (failure != null) {
            return;
        }
        if (rows.size() >= MAX_ROWS) {
            fail("the catalog has more than " + MAX_ROWS + " entries");
            return;
        }
        PgReader r = PgReader.body(frame);
        int n = r.readUnsignedShort();
        String[] row = new String[n];
        for (int i = 0; i < n; i++) {
            int len = r.readInt();
            row[i] = len < 0 ? null : r.readSlice(len).toString(StandardCharsets.UTF_8);
        }
        rows.add(row);
    }

    private void fail(String why) {
        if (failure == null) {
            failure = why;
        }
        rows.clear();
    }

    private Result result(byte txStatus) {
        if (failure == null) {
            try {
                return new Result(PgCatalog.fromRows(rows), null, txStatus);
            } catch (IllegalArgumentException e) {
                fail("the catalog query's rows are malformed: " + e.getMessage());
            }
        }
        return new Result(PgCatalog.EMPTY, failure, txStatus);
    }
}
