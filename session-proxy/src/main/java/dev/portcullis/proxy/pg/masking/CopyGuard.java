package dev.portcullis.proxy.pg.masking;

import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import dev.portcullis.proxy.pg.catalog.PgCatalog;
import dev.portcullis.proxy.pg.catalog.Relation;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a {@code COPY … TO} may run under a decision's mask rules. COPY's output is a stream of rows
 * without a RowDescription, so column strategies cannot be applied to it: a COPY that reads a masked column (or
 * whose lineage is unknown on a table with masked columns) is refused with {@link #SQLSTATE} and {@link #REFUSED};
 * one that does not is relayed with the rules' detectors applied to each CopyData row ({@link #maskCopyData}), or
 * refused when it asks for the binary format, where no detector can run.
 */
public final class CopyGuard {

    /** insufficient_privilege, as for any refusal of the proxy. */
    public static final String SQLSTATE = "42501";

    public static final String REFUSED = "COPY of masked data is refused; use SELECT";

    public static final String BINARY_REFUSED = "binary COPY is refused while values are masked; use text or csv";

    /** What a {@code COPY … TO} reads. */
    public sealed interface Source permits Table, Query, Unreadable {
        /** The statement asks for the binary format ({@code BINARY}, {@code FORMAT binary}). */
        boolean binary();
    }

    /** {@code COPY [schema.]table [(columns)] TO …}; names folded as PostgreSQL folds them, columns empty for all. */
    public record Table(String schema, String name, List<String> columns, boolean binary) implements Source {}

    /** {@code COPY (query) TO …}: the inner query's text and its offset in the statement, for the analyzer. */
    public record Query(String text, int offset, boolean binary) implements Source {}

    /** A COPY whose head this parser cannot read: treated as reading everything. */
    public record Unreadable() implements Source {
        @Override
        public boolean binary() {
            return true;
        }
    }

    public enum Verdict {
        /** No mask rule: relay as it is. */
        PASS,
        /** Relay with each CopyData row through the rules' detectors. */
        MASK_DETECTORS,
        /** Refuse with {@link #SQLSTATE} and {@link #REFUSED}. */
        REFUSE,
        /** Refuse with {@link #SQLSTATE} and {@link #BINARY_REFUSED}. */
        REFUSE_BINARY
    }

    private CopyGuard() {}

    /**
     * What a {@code COPY … TO} statement reads; empty when the statement is no COPY or a {@code COPY … FROM} (a
     * write, decided elsewhere). A COPY this parser cannot read is {@link Unreadable}, never empty.
     */
    public static Optional<Source> copyTo(String statement) {
        CopyScanner s = new CopyScanner(statement);
        if (!"copy".equals(s.word())) {
            return Optional.empty();
        }
        try {
            Source source;
            if (s.peek() == '(') {
                int start = s.pos() + 1;
                int end = s.skipParenthesised() - 1;
                String direction = s.word();
                if (!"to".equals(direction)) {
                    return "from".equals(direction) ? Optional.empty() : Optional.of(new Unreadable());
                }
                source = new Query(statement.substring(start, end), start, s.restHasWord("binary"));
            } else {
                boolean binary = false;
                String first = s.name();
                if ("binary".equals(first) && s.peek() != '.' && s.peek() != '(') {
                    binary = true; // COPY BINARY table TO …, the old syntax
                    first = s.name();
                }
                String schema = null;
                String name = first;
                if (s.peek() == '.') {
                    s.expect('.');
                    schema = first;
                    name = s.name();
                }
                List<String> columns = new ArrayList<>();
                if (s.peek() == '(') {
                    s.expect('(');
                    do {
                        columns.add(s.name());
                    } while (s.accept(','));
                    s.expect(')');
                }
                String direction = s.word();
                if (!"to".equals(direction)) {
                    return "from".equals(direction) ? Optional.empty() : Optional.of(new Unreadable());
                }
                source = new Table(schema, name, List.copyOf(columns), binary || s.restHasWord("binary"));
            }
            return Optional.of(source);
        } catch (IllegalArgumentException e) {
            return Optional.of(new Unreadable());
        }
    }

    /**
     * The verdict on a {@code COPY … TO}.
     *
     * @param queryLineage the inner query's lineage for a {@link Query} (the analyzer's, of {@link Query#text()});
     *     ignored for a table
     */
    public static Verdict decide(
            List<MaskRule> rules, Source source, StatementLineage queryLineage, PgCatalog catalog) {
        if (rules.isEmpty()) {
            return Verdict.PASS;
        }
        if (Masker.plan(rules.stream().filter(r -> r.column() == null).toList(), null)
                        .columnStrategy()
                != null) {
            return Verdict.REFUSE; // an unknown detector masks every value
        }
        boolean masked = switch (source) {
            case Table t -> tableMasked(rules, t, catalog);
            case Query q -> MessageMasker.touchesMasked(rules, queryLineage, catalog);
            case Unreadable u -> new LineageResolver(rules, StatementLineage.UNKNOWN, catalog).overall() != null;
        };
        if (masked) {
            return Verdict.REFUSE;
        }
        if (rules.stream().noneMatch(r -> r.detector() != null)) {
            return Verdict.PASS;
        }
        return source.binary() ? Verdict.REFUSE_BINARY : Verdict.MASK_DETECTORS;
    }

    private static boolean tableMasked(List<MaskRule> rules, Table t, PgCatalog catalog) {
        LineageResolver r = new LineageResolver(rules, StatementLineage.UNKNOWN, catalog);
        if (r.overall() == null) {
            return false;
        }
        Relation rel = (catalog == null ? PgCatalog.EMPTY : catalog)
                .relation(t.schema(), t.name())
                .orElse(null);
        if (rel == null) {
            return true;
        }
        if (t.columns().isEmpty()) {
            return r.wholeRow(rel).strategy() != null;
        }
        for (String c : t.columns()) {
            if (!rel.hasColumn(c) || r.column(rel, c).strategy() != null) {
                return true;
            }
        }
        return false;
    }

    /** Whether a CopyOutResponse announces the binary format (its overall format byte). */
    public static boolean isBinary(Buffer copyOutResponse) {
        return copyOutResponse.length() > 5 && copyOutResponse.getByte(5) != 0;
    }

    /** One CopyData frame through the rules' detectors; the frame itself when nothing matched. */
    public static Buffer maskCopyData(Buffer frame, List<MaskRule> rules, Masker masker) {
        String row = frame.getString(5, frame.length(), StandardCharsets.UTF_8.name());
        String masked = masker.applyDetectors(rules, row);
        if (masked.equals(row)) {
            return frame;
        }
        byte[] bytes = masked.getBytes(StandardCharsets.UTF_8);
        return Buffer.buffer(5 + bytes.length)
                .appendByte(frame.getByte(0))
                .appendInt(4 + bytes.length)
                .appendBytes(bytes);
    }

    /** Folds an unquoted identifier as PostgreSQL does: ASCII letters only. */
    static String fold(String identifier) {
        StringBuilder b = new StringBuilder(identifier.length());
        for (int i = 0; i < identifier.length(); i++) {
            char c = identifier.charAt(i);
            b.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return b.toString();
    }
}
