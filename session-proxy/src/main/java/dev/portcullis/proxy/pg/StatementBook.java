package dev.portcullis.proxy.pg;

import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.pg.codec.PgBackendMessages.RowDescription;
import dev.portcullis.proxy.pg.codec.PgFrontendMessages.Bind;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer.StatementInfo;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the backend's prepared-statement and portal namespaces hold, as far as the proxy can vouch
 * for it. Changes are made in client order when a message is sent (pipelining drivers do not wait
 * for replies) and each returns an {@link Undo}: when the backend reports an error, the change of
 * the message that failed and of every message it skipped up to Sync is taken back, so the proxy
 * never believes a text the backend did not accept. SQL {@code PREPARE}/{@code DEALLOCATE} share
 * the statement namespace, SQL cursors the portal namespace.
 */
final class StatementBook {

    /** PostgreSQL keys both namespaces by NAMEDATALEN - 1 bytes: longer names would collide there. */
    static final int MAX_NAME_BYTES = 63;

    /** A prepared statement: its exact text, as decided on at every Bind. */
    static final class Prepared {
        final String sql;
        final int[] parameterTypes;
        RowDescription description;
        boolean describeRequested;
        /** What deciding a Bind of it needs but its parameters, while the catalog and settings stay (onBind). */
        PgClientMessages.BindPlan bindPlan;

        Prepared(String sql, int[] parameterTypes) {
            this.sql = sql;
            this.parameterTypes = parameterTypes;
        }
    }

    /** A portal (protocol Bind or SQL cursor): the decision's masks and what masking needs. */
    static final class Portal {
        final String text;
        final Prepared statement;
        final Bind bind;
        final List<MaskRule> masks;
        final long requestSeq;
        final boolean holdable;
        /** Syncs sent before it was made: it belongs to the transaction that ends at the next one. */
        final long epoch;
        /** Model changes of a SQL command run by this portal, applied when it is executed. */
        SqlCommand command;
        /** The analysis of the statement whose rows it returns: masking's lineage, the catalog's invalidation. */
        StatementInfo info;
        /** A COPY … TO whose rows go through the decision's detectors. */
        boolean copyDetectors;

        RowDescription description;
        boolean describeRequested;

        Portal(
                String text,
                Prepared statement,
                Bind bind,
                List<MaskRule> masks,
                long requestSeq,
                boolean holdable,
                long epoch) {
            this.text = text;
            this.statement = statement;
            this.bind = bind;
            this.masks = masks;
            this.requestSeq = requestSeq;
            this.holdable = holdable;
            this.epoch = epoch;
        }
    }

    /** Takes a change back: {@code skipped} when the backend never ran it, {@code failed} when it failed. */
    interface Undo {
        void skipped();

        void failed(String sqlstate);

        /** A change that is reversed the same way whether the backend skipped its message or it failed. */
        static Undo reverting(Runnable revert) {
            return new Undo() {
                @Override
                public void skipped() {
                    revert.run();
                }

                @Override
                public void failed(String sqlstate) {
                    revert.run();
                }
            };
        }
    }

    static final Undo NOTHING = new Undo() {
        @Override
        public void skipped() {}

        @Override
        public void failed(String sqlstate) {}
    };

    private final Map<String, Prepared> statements = new HashMap<>();
    private final Map<String, Portal> portals = new HashMap<>();
    /** Names the backend holds with a text the proxy never saw (a 42P05 for a name it did not know). */
    private final Set<String> unusable = new HashSet<>();

    static boolean nameTooLong(String name) {
        return name.length() > MAX_NAME_BYTES / 3 && name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES;
    }

    Prepared statement(String name) {
        return unusable.contains(name) ? null : statements.get(name);
    }

    /** Known or held by the backend unseen: a Parse or PREPARE of it would be refused (42P05). */
    boolean statementTaken(String name) {
        return statements.containsKey(name) || unusable.contains(name);
    }

    Portal portal(String name) {
        return portals.get(name);
    }

    /**
     * Parse of a name the backend will accept: a new name, or the unnamed statement (which
     * PostgreSQL drops first, so a failed unnamed Parse leaves none).
     */
    Undo parse(String name, Prepared p) {
        Prepared old = statements.put(name, p);
        return new Undo() {
            @Override
            public void skipped() {
                restore(statements, name, old);
            }

            @Override
            public void failed(String sqlstate) {
                if (name.isEmpty()) {
                    statements.remove(name);
                    return;
                }
                restore(statements, name, old);
                if ("42P05".equals(sqlstate) && old == null) {
                    unusable.add(name);
                }
            }
        };
    }

    Undo closeStatement(String name) {
        Prepared old = statements.remove(name);
        return Undo.reverting(() -> restore(statements, name, old));
    }

    /** A successful Close, DEALLOCATE or DISCARD ALL: the backend no longer holds the name. */
    void statementGone(String name) {
        unusable.remove(name);
    }

    Undo deallocateAll() {
        Map<String, Prepared> old = new HashMap<>(statements);
        statements.clear();
        return Undo.reverting(() -> statements.putAll(old));
    }

    void allStatementsGone() {
        unusable.clear();
    }

    /**
     * Bind or DECLARE: the new portal replaces the proxy's record even when the backend may refuse
     * it (42P03), and a failure forgets the name: a portal the proxy cannot vouch for is never run.
     */
    Undo bind(String name, Portal p) {
        Portal old = portals.put(name, p);
        return new Undo() {
            @Override
            public void skipped() {
                restore(portals, name, old);
            }

            @Override
            public void failed(String sqlstate) {
                portals.remove(name);
            }
        };
    }

    Undo closePortal(String name) {
        Portal old = portals.remove(name);
        return Undo.reverting(() -> restore(portals, name, old));
    }

    Undo closeAllPortals() {
        Map<String, Portal> old = new HashMap<>(portals);
        portals.clear();
        return Undo.reverting(() -> portals.putAll(old));
    }

    /**
     * What a simple Query (and the proxy's own refusals, which run as the unnamed statement) does
     * to the unnamed statement and portal: PostgreSQL drops them. Forgetting is safe: the proxy
     * then refuses what it no longer knows.
     */
    void forgetUnnamed() {
        statements.remove("");
        portals.remove("");
    }

    /** The transaction that ended at Sync number {@code sync} took its portals with it, holdable cursors aside. */
    void transactionEnded(long sync) {
        if (!portals.isEmpty()) {
            portals.values().removeIf(p -> !p.holdable && p.epoch < sync);
        }
    }

    private static <T> void restore(Map<String, T> map, String name, T old) {
        if (old == null) {
            map.remove(name);
        } else {
            map.put(name, old);
        }
    }
}
