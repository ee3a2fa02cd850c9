package dev.portcullis.proxy.pg.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.PostgresServer;
import dev.portcullis.devstack.SharedDevStack;
import dev.portcullis.proxy.pg.codec.PgBackendMessages;
import dev.portcullis.proxy.pg.codec.PgMessages;
import dev.portcullis.proxy.pg.codec.PgProtocol;
import dev.portcullis.proxy.pg.sql.PgWire.Frame;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL itself is the oracle for {@link SqlLexer#split(String, boolean)}: for every generated
 * text (fixed seed, {@value #TEXTS} per mode, standard_conforming_strings on and off) and every
 * piece the lexer cuts from it,
 *
 * <ol>
 *   <li>a Parse of the piece is never refused with "cannot insert multiple commands into a
 *       prepared statement": no piece holds two statements;
 *   <li>when the whole text runs as one simple Query without error, PostgreSQL completed exactly as
 *       many statements as there are pieces, and every piece parses on its own;
 *   <li>when PostgreSQL refuses the whole text with a syntax error before running any of it, some
 *       piece fails with a syntax error at the same place (its offset plus its error position).
 * </ol>
 *
 * Texts run as an unprivileged, read-only role inside BEGIN … ROLLBACK on a scratch database, and
 * the scratch table is checked unchanged afterwards. Failures found here were shrunk into named
 * cases in {@link SqlLexerTest}.
 */
class SqlLexerDifferentialTest {

    private static final long SEED = 0x5157_4C45_5845_52L;
    private static final int TEXTS = 10_000;
    private static final int BATCH = 250;
    private static final String DATABASE = "lexer_oracle";
    private static final String ROLE = "lexer_oracle";
    private static final String PASSWORD = "lexer-oracle-dev-only";
    private static final String MULTIPLE_COMMANDS = "cannot insert multiple commands into a prepared statement";

    private static PostgresServer pg;

    @BeforeAll
    static void scratchDatabase() {
        pg = SharedDevStack.ensure(Component.POSTGRES).postgres();
        pg.createDatabase(DATABASE);
        pg.execute(
                "postgres",
                "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + ROLE + "') THEN CREATE ROLE "
                        + ROLE + " LOGIN; END IF; END$$",
                "ALTER ROLE " + ROLE + " PASSWORD '" + PASSWORD + "' NOSUPERUSER NOCREATEDB NOCREATEROLE",
                "ALTER ROLE " + ROLE + " SET default_transaction_read_only = on",
                "ALTER ROLE " + ROLE + " SET statement_timeout = '10s'");
        pg.execute(
                DATABASE,
                "REVOKE ALL ON DATABASE " + DATABASE + " FROM PUBLIC",
                "GRANT CONNECT ON DATABASE " + DATABASE + " TO " + ROLE,
                "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
                "CREATE TABLE IF NOT EXISTS lex_t (id int PRIMARY KEY, v text)",
                "INSERT INTO lex_t VALUES (1, 'one'), (2, 'two'), (3, 'three') ON CONFLICT DO NOTHING",
                "GRANT SELECT ON lex_t TO " + ROLE);
    }

    @Test
    void everyPieceIsOneStatementToPostgresWithStandardConformingStrings() {
        differential(true);
    }

    @Test
    void everyPieceIsOneStatementToPostgresWithoutStandardConformingStrings() {
        differential(false);
    }

    private void differential(boolean scs) {
        String before = tableChecksum();
        List<String> texts = new SqlTextGenerator(SEED).texts(TEXTS);
        List<String> failures = new ArrayList<>();
        int[] compared = new int[2]; // texts PostgreSQL ran whole, texts it refused as a syntax error
        try (PgWire wire = PgWire.connect(pg.host(), pg.port(), DATABASE, ROLE, PASSWORD)) {
            List<Frame> set = wire.query("SET standard_conforming_strings = " + (scs ? "on" : "off"));
            assertTrue(set.stream().noneMatch(f -> f.type() == PgProtocol.ERROR_RESPONSE), "SET failed");
            for (int from = 0; from < texts.size(); from += BATCH) {
                check(wire, texts.subList(from, Math.min(texts.size(), from + BATCH)), scs, failures, compared);
            }
        }
        assertEquals(before, tableChecksum(), "the scratch table changed");
        assertTrue(
                failures.isEmpty(),
                failures.size() + " disagreements with PostgreSQL (scs " + scs + "), first ones:\n"
                        + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
        // the oracle must have had something to say: most well-formed texts run, many soups fail to parse
        assertTrue(compared[0] > TEXTS / 5, "only " + compared[0] + " texts ran whole");
        assertTrue(compared[1] > TEXTS / 10, "only " + compared[1] + " texts were refused as syntax errors");
    }

    private static void check(PgWire wire, List<String> texts, boolean scs, List<String> failures, int[] compared) {
        List<Buffer> messages = new ArrayList<>();
        List<List<SqlStatement>> pieces = new ArrayList<>();
        int replies = 0;
        for (String text : texts) {
            List<SqlStatement> p = SqlLexer.split(text, scs);
            pieces.add(p);
            messages.add(PgMessages.query("BEGIN"));
            messages.add(PgMessages.query(text));
            messages.add(PgMessages.query("ROLLBACK"));
            replies += 3;
            for (SqlStatement s : p) {
                messages.add(PgMessages.parse("", s.text()));
                messages.add(PgWire.sync());
                replies++;
            }
        }
        List<List<Frame>> groups = wire.exchange(messages, replies);
        int g = 0;
        for (int t = 0; t < texts.size(); t++) {
            String text = texts.get(t);
            List<SqlStatement> p = pieces.get(t);
            List<Frame> whole = groups.get(g + 1);
            g += 3;
            List<Frame> parses = new ArrayList<>();
            for (int i = 0; i < p.size(); i++) {
                parses.add(groups.get(g++).get(0));
            }
            String problem = disagreement(text, p, whole, parses);
            if (problem != null) {
                failures.add(problem + ": " + escaped(text) + " -> " + escapedPieces(p));
            }
            Frame error = firstError(whole);
            if (error == null) {
                compared[0]++;
            } else if (error.sqlstate().equals("42601") && completed(whole) == 0) {
                compared[1]++;
            }
        }
    }

    /** What PostgreSQL disagrees with in the lexer's cut of {@code text}, or null. */
    private static String disagreement(String text, List<SqlStatement> pieces, List<Frame> whole, List<Frame> parses) {
        for (int i = 0; i < pieces.size(); i++) {
            Frame f = parses.get(i);
            if (f.type() == PgProtocol.ERROR_RESPONSE && f.message().contains(MULTIPLE_COMMANDS)) {
                return "piece " + i + " holds several statements";
            }
        }
        Frame error = firstError(whole);
        if (error == null) {
            int statements = completed(whole);
            if (statements != pieces.size()) {
                return "PostgreSQL ran " + statements + " statements, the lexer cut " + pieces.size();
            }
            for (int i = 0; i < pieces.size(); i++) {
                if (parses.get(i).type() != PgProtocol.PARSE_COMPLETE) {
                    return "piece " + i + " does not parse alone: "
                            + parses.get(i).message();
                }
            }
            return null;
        }
        if (!error.sqlstate().equals("42601") || completed(whole) > 0) {
            return null; // refused after parsing: nothing to compare boundaries with
        }
        String position =
                PgBackendMessages.Fields.decode(error.frame()).values().get('P');
        for (int i = 0; i < pieces.size(); i++) {
            Frame f = parses.get(i);
            if (f.type() != PgProtocol.ERROR_RESPONSE || !f.sqlstate().equals("42601")) {
                continue;
            }
            String p = PgBackendMessages.Fields.decode(f.frame()).values().get('P');
            if (position == null || p == null) {
                return null;
            }
            // positions count characters (code points) from 1
            SqlStatement piece = pieces.get(i);
            int offset = text.codePointCount(0, piece.offset());
            int at = Integer.parseInt(position);
            if (offset + Integer.parseInt(p) == at) {
                return null;
            }
            // "at end of input" in the piece is, in the whole text, the ; that ended it or the text's end
            int pieceEnd = piece.offset() + piece.text().length();
            boolean pieceEndError = Integer.parseInt(p)
                    == piece.text().codePointCount(0, piece.text().length()) + 1;
            int wholeAt = at - 1 <= text.codePointCount(0, text.length()) ? text.offsetByCodePoints(0, at - 1) : -1;
            if (pieceEndError
                    && wholeAt >= pieceEnd
                    && (wholeAt == text.length() || text.charAt(wholeAt) == ';')
                    && SqlLexer.shape(text.substring(pieceEnd, wholeAt), true).isEmpty()) {
                return null;
            }
        }
        return "PostgreSQL refused the text (" + error.message() + " at " + position + ") but no piece fails there";
    }

    private static Frame firstError(List<Frame> frames) {
        return frames.stream()
                .filter(f -> f.type() == PgProtocol.ERROR_RESPONSE)
                .findFirst()
                .orElse(null);
    }

    private static int completed(List<Frame> frames) {
        return (int) frames.stream()
                .filter(f -> f.type() == PgProtocol.COMMAND_COMPLETE)
                .count();
    }

    private static String tableChecksum() {
        try (var c = pg.connect(DATABASE, PostgresServer.SUPERUSER, pg.superPassword());
                var s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*) || ':' || md5(string_agg(id || '=' || v, ',' ORDER BY id))"
                        + " || ':' || (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace)"
                        + " FROM lex_t")) {
            rs.next();
            return rs.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static String escaped(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\f' -> sb.append("\\f");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static String escapedPieces(List<SqlStatement> pieces) {
        List<String> out = new ArrayList<>();
        for (SqlStatement s : pieces) {
            out.add(s.offset() + ":" + escaped(s.text()));
        }
        return out.toString();
    }
}
