package dev.portcullis.proxy.pg.masking;

import dev.portcullis.contracts.detect.Detector;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import dev.portcullis.proxy.pg.catalog.PgCatalog;
import dev.portcullis.proxy.pg.catalog.Relation;
import dev.portcullis.proxy.pg.codec.PgBackendMessages.Field;
import dev.portcullis.proxy.pg.masking.LineageResolver.Mask;
import dev.portcullis.proxy.pg.masking.StatementLineage.OutputLineage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntUnaryOperator;

/**
 * Plans the masking of one result from its RowDescription: masking follows the data, not the output name.
 *
 * <ul>
 *   <li>A column with a table OID is a direct source (PostgreSQL resolved it through aliases, sub-selects and CTEs):
 *       the rules' column globs match the source column's name ({@code table.column} and
 *       {@code schema.table.column} when the glob has a dot), never the alias; attnum 0 is a whole row. A view's
 *       column also carries the strictest strategy of every column the view reads ({@link LineageResolver}).
 *   <li>A computed column (table OID 0) takes the strictest strategy of the columns and whole rows its select-list
 *       item reads, from the statement's lineage.
 *   <li>Where lineage is unknown (opaque item, {@code *} expansion, unreadable statement, a user function called,
 *       an unresolvable reference) the column gets the strictest column strategy of the relations the statement
 *       reads (the decision's strictest if those are unknown) and every detector — never nothing.
 *   <li>Detector rules apply to every column, as for SSH and HTTP.
 * </ul>
 *
 * Strategies rank redact &gt; hash &gt; last4 ({@link Masker#strictness}). An output name that looks sensitive on an
 * innocent source ({@code SELECT name AS email}) is not masked by its name: the source decides (detectors still
 * run).
 */
public final class ResultMaskPlanner {

    /** SQLSTATE of a refused binary result: feature_not_supported, as today. */
    public static final String BINARY_REFUSED_SQLSTATE = "0A000";

    /** Types whose binary format is their text bytes, so masking in place is exact: text, varchar, bpchar, name, json, unknown, xml. */
    public static final Set<Integer> TEXT_LIKE_TYPES = Set.of(25, 1043, 1042, 19, 114, 705, 142);

    /**
     * Types no detector can match in text form (a card number needs 13 digits in a row, an e-mail an '@'): bool,
     * int2, int4, oid, float4, date, time, timetz, timestamp, timestamptz. Their binary form may pass when only
     * detectors apply. int8, numeric, float8 and uuid can hold 13 digits and are not here.
     */
    public static final Set<Integer> DETECTOR_PROOF_TYPES = Set.of(16, 21, 23, 26, 700, 1082, 1083, 1266, 1114, 1184);

    private ResultMaskPlanner() {}

    /**
     * @param rules the decision's mask rules
     * @param fields the backend's RowDescription fields
     * @param resultFormat the format each column is sent in (Bind's result formats, {@code bind::resultFormat}); null
     *     to take RowDescription's own format codes (simple query, FETCH from a binary cursor)
     * @param lineage the statement's lineage, {@link StatementLineage#UNKNOWN} when the analyzer could not read it
     * @param catalog the session's catalog snapshot, {@link PgCatalog#EMPTY} when it could not be loaded
     */
    public static ResultPlan plan(
            List<MaskRule> rules,
            List<Field> fields,
            IntUnaryOperator resultFormat,
            StatementLineage lineage,
            PgCatalog catalog) {
        int n = fields.size();
        Masker.ColumnPlan[] plans = new Masker.ColumnPlan[n];
        boolean[] binary = new boolean[n];
        if (rules.isEmpty()) {
            return new ResultPlan(plans, binary, null);
        }
        LineageResolver resolver = new LineageResolver(rules, lineage, catalog);
        Masker.ColumnPlan declared =
                Masker.plan(rules.stream().filter(r -> r.column() == null).toList(), null);
        Masker.ColumnPlan everyDetector = everyDetector(rules, declared);
        OutputLineage[] items = positions(resolver.lineage().outputs(), n);
        for (int i = 0; i < n; i++) {
            Field f = fields.get(i);
            Mask source = source(resolver, f, items[i]);
            Masker.ColumnPlan detectors = declared;
            if (source == LineageResolver.UNRESOLVED) {
                source = resolver.unknownLineage();
                detectors = everyDetector;
            }
            String strategy = Masker.strictest(source.strategy(), detectors.columnStrategy());
            Masker.ColumnPlan plan = new Masker.ColumnPlan(strategy, detectors.detectors());
            if (!plan.masksAnything()) {
                continue;
            }
            int format = resultFormat != null ? resultFormat.applyAsInt(i) : f.format();
            if (format != 0) {
                if (TEXT_LIKE_TYPES.contains(f.typeOid())) {
                    binary[i] = true;
                } else if (strategy == null && DETECTOR_PROOF_TYPES.contains(f.typeOid())) {
                    continue; // no detector can match this value: nothing to mask
                } else {
                    return new ResultPlan(
                            plans,
                            binary,
                            "column \"" + f.name()
                                    + "\" is masked by policy and was requested in binary format; request text format");
                }
            }
            plans[i] = plan;
        }
        return new ResultPlan(plans, binary, null);
    }

    private static Mask source(LineageResolver resolver, Field f, OutputLineage item) {
        if (f.tableOid() != 0) {
            Relation r = resolver.catalog().relation(f.tableOid()).orElse(null);
            return r == null ? LineageResolver.UNRESOLVED : resolver.column(r, f.column());
        }
        return item == null ? LineageResolver.UNRESOLVED : resolver.output(item);
    }

    /** The declared detectors plus every other one (redact), for values of unknown lineage. */
    private static Masker.ColumnPlan everyDetector(List<MaskRule> rules, Masker.ColumnPlan declared) {
        List<MaskRule> all =
                new ArrayList<>(rules.stream().filter(r -> r.column() == null).toList());
        for (Detector d : Detector.values()) {
            if (declared.detectors().stream().noneMatch(x -> x.detector() == d)) {
                all.add(new MaskRule(null, d.id(), "redact"));
            }
        }
        return Masker.plan(all, null);
    }

    /**
     * Which select-list item produced each result column: one to one without {@code *}; with stars, the items before
     * the first and after the last star map from either end, the columns a star expanded to map to nothing (null).
     */
    static OutputLineage[] positions(List<OutputLineage> outputs, int n) {
        OutputLineage[] out = new OutputLineage[n];
        if (outputs == null) {
            return out;
        }
        int m = outputs.size();
        int first = -1;
        int last = -1;
        for (int j = 0; j < m; j++) {
            if (outputs.get(j).star()) {
                last = j;
                if (first < 0) {
                    first = j;
                }
            }
        }
        if (first < 0) {
            if (m == n) {
                outputs.toArray(out);
            }
            return out;
        }
        int fixed = first + (m - 1 - last);
        if (fixed > n) {
            return out; // the analyzer's items and PostgreSQL's columns disagree
        }
        for (int j = 0; j < first; j++) {
            out[j] = outputs.get(j);
        }
        for (int j = last + 1; j < m; j++) {
            out[n - (m - j)] = outputs.get(j);
        }
        return out;
    }
}
