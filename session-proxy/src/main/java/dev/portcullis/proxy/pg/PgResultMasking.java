package dev.portcullis.proxy.pg;

import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import dev.portcullis.proxy.pg.catalog.PgCatalog;
import dev.portcullis.proxy.pg.catalog.PgCatalogCache;
import dev.portcullis.proxy.pg.codec.PgBackendMessages.Field;
import dev.portcullis.proxy.pg.masking.CopyGuard;
import dev.portcullis.proxy.pg.masking.MessageMasker;
import dev.portcullis.proxy.pg.masking.ResultMaskPlanner;
import dev.portcullis.proxy.pg.masking.ResultPlan;
import dev.portcullis.proxy.pg.masking.StatementLineage;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer.StatementInfo;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntUnaryOperator;
import java.util.function.LongSupplier;

/**
 * One session's view of the target's catalog and everything masking does with it: the snapshot the read-only
 * classification and the result planner use, when it must be (re)loaded, and the planning of results, errors, notices
 * and COPY.
 *
 * <p>The snapshot comes from the gateway's {@link PgCatalogCache} (connection, backend role, startup search_path) or is
 * loaded on the session's own backend ({@link PgCatalogLoad}) — only while the backend is idle outside a transaction,
 * so the load never joins, aborts or reads the uncommitted state of a client's transaction, nor runs inside a
 * pipeline. A statement that may change the catalog invalidates the connection's snapshots when it completes and
 * again when its transaction ends (other sessions may have loaded in between). Until the session can reload, a
 * decision uses {@link PgCatalog#EMPTY} if the catalog was invalidated (nothing read-only by the catalog, masking
 * strictest), or its own snapshot if only the TTL ran out (the TTL is the backstop for changes made outside the
 * proxy). A load that fails leaves {@link PgCatalog#EMPTY} in place — never a more permissive catalog — and is tried
 * again after {@link #RETRY_AFTER_NANOS}.
 *
 * <p>A session that changed its own search_path ({@code SET}, {@code RESET ALL}, {@code set_config}, {@code DISCARD
 * ALL}) keeps a snapshot of its own from then on: the shared one is keyed by the startup search_path.
 */
final class PgResultMasking {

    static final long RETRY_AFTER_NANOS = 30_000_000_000L;

    /** Statement kinds that change rows, not the catalog, unless something they call might. */
    private static final Set<String> DML = Set.of("INSERT", "UPDATE", "DELETE", "MERGE", "SELECT");

    /** Reasons a SELECT is not read-only that do not touch the catalog. */
    private static final Set<String> ROW_EFFECTS = Set.of(
            "data-modifying CTE",
            "data-modifying sub-statement",
            "FOR UPDATE",
            "FOR SHARE",
            "FOR NO KEY UPDATE",
            "FOR KEY SHARE");

    private final PgCatalogCache cache;
    private final Masker masker;
    private final PgCatalogCache.Key key;
    private final LongSupplier clock;

    private PgCatalog snapshot;
    /** The last result's plan and what it was made of ({@link #plan}). */
    private ResultPlan lastPlan;

    private PgCatalog lastCatalog;
    private List<MaskRule> lastRules;
    private List<Field> lastFields;
    private int[] lastFormats;
    private StatementLineage lastLineage;
    private long loadedGeneration = -1;
    private long loadedAt;
    private long retryAt;
    /** The session set its own search_path: its snapshot is its own. */
    private boolean ownSearchPath;
    /** Its own search_path changed since the last load. */
    private boolean searchPathChanged;
    /** The current transaction ran something that may have changed the catalog or the search_path. */
    private boolean catalogTouched;

    private boolean searchPathTouched;

    PgResultMasking(PgCatalogCache cache, Masker masker, PgCatalogCache.Key key, LongSupplier clock) {
        this.cache = cache;
        this.masker = masker;
        this.key = key;
        this.clock = clock;
    }

    // ---- the snapshot --------------------------------------------------------------------------

    /**
     * Whether the session must load the catalog before its next decision: no snapshot yet, or a stale one. A
     * shared snapshot another session loaded is taken as it is.
     */
    boolean needsLoad() {
        long now = clock.getAsLong();
        if (snapshot == PgCatalog.EMPTY && retryAt != 0 && now - retryAt < 0) {
            return false; // the last load failed: not again before the retry time
        }
        if (!ownSearchPath) {
            Optional<PgCatalog> shared = cache.get(key);
            if (shared.isPresent()) {
                adopt(shared.get(), cache.generation(key.connection()), now);
                return false;
            }
            return true;
        }
        return snapshot == null
                || searchPathChanged
                || loadedGeneration != cache.generation(key.connection())
                || now - loadedAt >= PgCatalogCache.DEFAULT_TTL.toNanos();
    }

    /** Read before sending the load: the generation the result belongs to. */
    long generation() {
        return cache.generation(key.connection());
    }

    /** The load's result: kept (and shared when the session uses the startup search_path); false when it failed. */
    boolean loaded(PgCatalogLoad.Result result, long generation) {
        long now = clock.getAsLong();
        if (result.failed()) {
            adopt(PgCatalog.EMPTY, generation, now);
            retryAt = now + RETRY_AFTER_NANOS;
            return false;
        }
        retryAt = 0;
        searchPathChanged = false;
        if (!ownSearchPath) {
            cache.put(key, generation, result.catalog());
        }
        adopt(result.catalog(), generation, now);
        return true;
    }

    private void adopt(PgCatalog catalog, long generation, long now) {
        snapshot = catalog;
        loadedGeneration = generation;
        loadedAt = now;
    }

    /**
     * The catalog a decision uses now: the snapshot, or {@link PgCatalog#EMPTY} when there is none or the catalog
     * changed since it was loaded.
     */
    PgCatalog catalog() {
        if (snapshot == null || searchPathChanged || loadedGeneration != cache.generation(key.connection())) {
            return PgCatalog.EMPTY;
        }
        return snapshot;
    }

    /** A statement completed: invalidates what it may have changed. */
    void completed(StatementInfo info) {
        if (info == null) {
            return;
        }
        if (changesSearchPath(info)) {
            ownSearchPath = true;
            searchPathChanged = true;
            searchPathTouched = true;
        }
        if (mayChangeCatalog(info, catalog())) {
            cache.invalidate(key.connection());
            catalogTouched = true;
        }
    }

    /** A ReadyForQuery: at the end of a transaction that changed things, they are visible to all now. */
    void readyForQuery(byte txStatus) {
        if (txStatus != 'I') {
            return;
        }
        if (catalogTouched) {
            cache.invalidate(key.connection());
            catalogTouched = false;
        }
        if (searchPathTouched) {
            searchPathChanged = true; // SET LOCAL ends with its transaction
            searchPathTouched = false;
        }
    }

    static boolean changesSearchPath(StatementInfo info) {
        if ("DISCARD".equals(info.type())) {
            return true;
        }
        for (String s : info.settings()) {
            if (s.equals("search_path") || s.equals("all") || s.equals("*")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a statement may have changed what the catalog holds: anything not read-only, except row changes
     * (INSERT, UPDATE, DELETE, MERGE, row locks, data-modifying CTEs) that call only {@code pg_catalog} functions. A
     * trigger that runs DDL is not seen here; the cache's TTL covers it.
     */
    static boolean mayChangeCatalog(StatementInfo info, PgCatalog catalog) {
        if (info.readOnly(catalog)) {
            return false;
        }
        if (!DML.contains(info.type())) {
            return true;
        }
        for (String reason : info.notReadOnly()) {
            // an INSERT, UPDATE, DELETE or MERGE is not read-only because of what it is: it changes rows. Every
            // TPC-B transaction reloaded the catalog at its next BEGIN (~30 ms) while that counted as a change.
            if (!ROW_EFFECTS.contains(reason) && !reason.equals(info.type())) {
                return true;
            }
        }
        for (String written : info.writes()) {
            if (systemCatalog(written)) {
                return true; // rows of the system catalogs are the catalog (a superuser's UPDATE pg_catalog.…)
            }
        }
        for (String call : info.calls()) {
            int dot = call.lastIndexOf('.');
            String schema = dot < 0 ? null : call.substring(0, dot);
            String name = call.substring(dot + 1);
            if (!catalog.functionSchemas(schema, name).equals(List.of("pg_catalog"))) {
                return true;
            }
        }
        return false;
    }

    /** pg_catalog.x, information_schema.x, or an unqualified pg_x (pg_catalog is first on every search_path). */
    private static boolean systemCatalog(String table) {
        String t = table.toLowerCase(java.util.Locale.ROOT).replace("\"", "");
        int dot = t.lastIndexOf('.');
        String schema = dot < 0 ? null : t.substring(0, dot);
        String name = t.substring(dot + 1);
        if (schema != null) {
            schema = schema.substring(schema.lastIndexOf('.') + 1); // database.schema.table
            return schema.equals("pg_catalog") || schema.equals("information_schema") || schema.startsWith("pg_");
        }
        return name.startsWith("pg_");
    }

    // ---- masking -------------------------------------------------------------------------------

    /**
     * The plan of one result: columns masked by the source of their data. A function of the rules, the columns and
     * their formats, the statement's lineage and the catalog snapshot: the last one is reused when all of them are the
     * same (a prepared statement executed again), so only the comparison is paid per result.
     */
    ResultPlan plan(List<MaskRule> rules, List<Field> fields, IntUnaryOperator resultFormat, StatementInfo info) {
        StatementLineage lineage = PgLineage.of(info);
        PgCatalog catalog = catalog();
        int[] formats = new int[fields.size()];
        for (int i = 0; i < formats.length; i++) {
            // null: each column's own format, as RowDescription gives it (ResultMaskPlanner)
            formats[i] = resultFormat != null
                    ? resultFormat.applyAsInt(i)
                    : fields.get(i).format();
        }
        if (lastPlan != null
                && catalog == lastCatalog
                && rules.equals(lastRules)
                && fields.equals(lastFields)
                && Arrays.equals(formats, lastFormats)
                && lineage.equals(lastLineage)) {
            return lastPlan;
        }
        ResultPlan plan = ResultMaskPlanner.plan(rules, fields, i -> formats[i], lineage, catalog);
        lastPlan = plan;
        lastCatalog = catalog;
        lastRules = List.copyOf(rules);
        lastFields = List.copyOf(fields);
        lastFormats = formats;
        lastLineage = lineage;
        return plan;
    }

    /** One DataRow through a plan; the frame itself when nothing changed. */
    Buffer maskRow(ResultPlan plan, Buffer frame) {
        return dev.portcullis.proxy.pg.codec.PgBackendMessages.rewriteDataRow(frame, (col, value) -> {
            Masker.ColumnPlan p = plan.column(col);
            if (p == null) {
                return null;
            }
            String text = value.toString(StandardCharsets.UTF_8);
            String masked = masker.apply(p, text);
            return masked == text ? null : Buffer.buffer(masked.getBytes(StandardCharsets.UTF_8));
        });
    }

    /**
     * An ErrorResponse or NoticeResponse of a statement decided with {@code rules}: its free-text fields hidden when
     * the statement touches masked data (not for an error of Parse, which comes before any row is read), else
     * through the rules' detectors.
     */
    Buffer maskMessage(Buffer frame, List<MaskRule> rules, StatementInfo info, boolean replyToParse) {
        if (rules.isEmpty()) {
            return frame;
        }
        boolean hide = !replyToParse && MessageMasker.touchesMasked(rules, PgLineage.of(info), catalog());
        return MessageMasker.mask(frame, hide, rules, masker);
    }

    /**
     * The verdict on a statement that may be a {@code COPY … TO}: empty when it is none; {@code analyze} reads the
     * inner query of {@code COPY (query) TO}.
     */
    Optional<CopyGuard.Verdict> copy(
            List<MaskRule> rules, String statement, java.util.function.Function<String, StatementInfo> analyze) {
        Optional<CopyGuard.Source> source = CopyGuard.copyTo(statement);
        if (source.isEmpty()) {
            return Optional.empty();
        }
        StatementLineage lineage = source.get() instanceof CopyGuard.Query q
                ? PgLineage.of(analyze.apply(q.text()))
                : StatementLineage.UNKNOWN;
        return Optional.of(CopyGuard.decide(rules, source.get(), lineage, catalog()));
    }

    Buffer maskCopyData(Buffer frame, List<MaskRule> rules) {
        return CopyGuard.maskCopyData(frame, rules, masker);
    }
}
