package dev.portcullis.proxy.pg.masking;

import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import dev.portcullis.proxy.pg.catalog.PgCatalog;
import dev.portcullis.proxy.pg.codec.PgBackendMessages.Fields;
import dev.portcullis.proxy.pg.masking.LineageResolver.Mask;
import dev.portcullis.proxy.pg.masking.StatementLineage.ColumnRef;
import dev.portcullis.proxy.pg.masking.StatementLineage.OutputLineage;
import io.vertx.core.buffer.Buffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Masks ErrorResponse and NoticeResponse fields. PostgreSQL quotes values in its messages ({@code invalid input
 * syntax for type integer: "ada@example.com"}, {@code Key (email)=(…) already exists}, a function's {@code RAISE}),
 * and no detector recognises an arbitrary masked value there. So when the statement touches a masked column
 * ({@link #touchesMasked}) the free-text fields are replaced by {@link #HIDDEN}: message (M), detail (D), hint (H),
 * context (W) and internal query (q), the field codes of protocol.sgml's "Error and Notice Message Fields". Severity
 * (S, V), SQLSTATE (C), positions (P, p), the schema, table, column, type and constraint names (s, t, c, d, n) and
 * the source location (F, L, R) are kept: they name objects, not values. Otherwise the rules' detectors run over
 * the free-text fields, as over any output.
 */
public final class MessageMasker {

    /** What replaces a hidden field. */
    public static final String HIDDEN = "value hidden by Portcullis masking (SQLSTATE kept)";

    /** The free-text field codes: message, detail, hint, where (context), internal query. */
    public static final String FREE_TEXT_FIELDS = "MDHWq";

    private MessageMasker() {}

    /**
     * Whether a statement touches masked data, so that its errors and notices are hidden: a referenced column or
     * whole row whose source a column rule masks (views: what they read), or — where lineage is unknown (unreadable
     * statement, unresolvable reference, {@code *}, opaque item, a function that may read anything) — a relation it
     * reads has a masked column (any, when those relations are unknown). False when the decision has no column rule.
     *
     * <p>Errors the backend gives to a Parse (syntax, unknown names) come before any row is read: the session does
     * not hide those (it passes {@code hide = touchesMasked && !replyToParse} to {@link #mask}).
     */
    public static boolean touchesMasked(List<MaskRule> rules, StatementLineage lineage, PgCatalog catalog) {
        LineageResolver r = new LineageResolver(rules, lineage, catalog);
        if (r.overall() == null) {
            return false;
        }
        boolean unknownIsMasked = r.unknownLineage().strategy() != null;
        StatementLineage l = r.lineage();
        if (l.referencedColumns() == null || l.referencedWholeRows() == null || l.outputs() == null) {
            return unknownIsMasked;
        }
        if (!r.functionsKnown()) {
            return true; // a function that may read anything: unknownLineage is the decision's strictest
        }
        for (ColumnRef ref : l.referencedColumns()) {
            if (masked(r.reference(ref), unknownIsMasked)) {
                return true;
            }
        }
        for (String q : l.referencedWholeRows()) {
            if (masked(r.wholeRowReference(q), unknownIsMasked)) {
                return true;
            }
        }
        for (OutputLineage item : l.outputs()) {
            if (item == null || item.star() || item.opaque()) {
                if (unknownIsMasked) {
                    return true;
                }
            } else if (masked(r.output(item), unknownIsMasked)) {
                return true;
            }
        }
        return false;
    }

    private static boolean masked(Mask m, boolean unknownIsMasked) {
        return m == LineageResolver.UNRESOLVED ? unknownIsMasked : m.strategy() != null;
    }

    /**
     * Masks one ErrorResponse or NoticeResponse frame.
     *
     * @param hide replace the free-text fields by {@link #HIDDEN} (the statement touches masked data)
     * @param rules the decision's mask rules; their detectors run over the free-text fields when not hidden
     * @return the frame itself when nothing changed, else a re-encoded frame of the same type
     */
    public static Buffer mask(Buffer frame, boolean hide, List<MaskRule> rules, Masker masker) {
        Fields fields = Fields.decode(frame);
        Map<Character, String> out = new LinkedHashMap<>(fields.values());
        boolean changed = false;
        if (hide) {
            if (!out.containsKey('M')) {
                out.put('M', HIDDEN);
                changed = true;
            }
            for (Map.Entry<Character, String> e : out.entrySet()) {
                if (FREE_TEXT_FIELDS.indexOf(e.getKey()) >= 0 && !HIDDEN.equals(e.getValue())) {
                    e.setValue(HIDDEN);
                    changed = true;
                }
            }
        } else if (rules.stream().anyMatch(r -> r.detector() != null)) {
            for (Map.Entry<Character, String> e : out.entrySet()) {
                if (FREE_TEXT_FIELDS.indexOf(e.getKey()) >= 0) {
                    String masked = masker.applyDetectors(rules, e.getValue());
                    if (!masked.equals(e.getValue())) {
                        e.setValue(masked);
                        changed = true;
                    }
                }
            }
        }
        return changed ? new Fields(out).encode(frame.getByte(0), "") : frame;
    }
}
