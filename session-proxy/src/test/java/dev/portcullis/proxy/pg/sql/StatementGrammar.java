package dev.portcullis.proxy.pg.sql;

import dev.portcullis.proxy.pg.sql.SqlTokens.Kind;
import dev.portcullis.proxy.pg.sql.SqlTokens.Token;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Statements for {@link SqlAnalyzerDifferentialTest}: reads and writes from a small grammar over the scratch
 * schema (customers, orders, the view v_customers, the sequence s, writer() and proc_writer()), then mutated the
 * ways an attacker would dress a write up as a read.
 */
final class StatementGrammar {

    /** Values: columns, literals, and calls of every volatility, side effects included. */
    private static final String[] VALUES = {
        "c.id",
        "c.email",
        "c.phone",
        "1",
        "'x'",
        "$$a$$",
        "NULL",
        "c.id + 1",
        "c.email || 'y'",
        "now()",
        "random()",
        "clock_timestamp()",
        "gen_random_uuid()",
        "lower(c.email)",
        "md5(c.email)",
        "coalesce(c.phone, 'n')",
        "(SELECT max(id) FROM orders)",
        "reader(c.id)",
        "current_setting('role')",
        "length(c.email)::text",
        "CASE WHEN c.id > 1 THEN c.email ELSE c.phone END",
        "row_to_json(c)::text",
        "nextval('s')",
        "setval('s', 7)",
        "pg_catalog.setval('s', 8)",
        "\"setval\"('s', 9)",
        "PG_CATALOG.NEXTVAL('s')",
        "lo_from_bytea(0, '\\x00'::bytea)",
        "lo_create(0)",
        "pg_notify('ch', 'x')",
        "set_config('role', 'diff_reader', true)",
        "set_config('transaction_read_only', 'off', true)",
        "set_config('client_encoding', 'LATIN1', true)",
        "set_config('search_path', 'public', true)",
        "writer()",
        "public.writer()",
        "pg_advisory_xact_lock(1)",
        "pg_sleep(0)",
        "txid_current()",
        "query_to_xml('select setval(''s'', 11)', true, true, '')",
        "pg_cancel_backend(0)",
        "(SELECT writer())",
        "(SELECT setval('s', 13) FROM orders LIMIT 1)"
    };

    private static final String[] DML = {
        "INSERT INTO orders VALUES (5, 1, 1) RETURNING *",
        "UPDATE orders SET total = 3 WHERE id = 1 RETURNING *",
        "DELETE FROM orders WHERE id = 2 RETURNING *",
        "INSERT INTO orders SELECT id, id, 1 FROM customers RETURNING id",
        "MERGE INTO orders o USING customers c ON o.cid = c.id WHEN MATCHED THEN UPDATE SET total = 0"
    };

    private static final String[] TEMPLATES = {
        "SELECT %v, %v FROM customers c",
        "SELECT %v FROM customers c WHERE c.id = 1",
        "SELECT c.id FROM customers c WHERE %v IS NOT NULL",
        "SELECT c.id FROM customers c JOIN orders o ON o.cid = c.id ORDER BY %v",
        "SELECT c.id FROM customers c WHERE c.id IN (SELECT length(%v::text) FROM orders)",
        "SELECT count(*) FROM customers c GROUP BY c.id HAVING count(%v) > 0",
        "WITH w AS (SELECT %v AS x FROM customers c) SELECT x FROM w",
        "WITH w AS (%d) SELECT count(*) FROM w",
        "WITH w AS (WITH v AS (%d) SELECT * FROM v) SELECT * FROM w",
        "SELECT * FROM (SELECT %v AS x FROM customers c) sub",
        "SELECT %v FROM customers c UNION ALL SELECT %v FROM customers c",
        "SELECT %v FROM customers c FOR UPDATE",
        "SELECT %v FROM customers c FOR SHARE",
        "SELECT %v FROM customers c FOR NO KEY UPDATE",
        "SELECT %v FROM customers c FOR KEY SHARE",
        "SELECT %v AS a INTO copy_x FROM customers c",
        "SELECT %v AS a INTO TEMP copy_x FROM customers c",
        "CREATE TABLE ctas_x AS SELECT %v AS a FROM customers c",
        "SELECT id, email FROM v_customers c WHERE %v IS NOT NULL",
        "SELECT g FROM generate_series(1, 2) g, customers c WHERE %v IS NOT NULL",
        "VALUES (1), (2)",
        "TABLE customers",
        "EXPLAIN SELECT %v FROM customers c",
        "EXPLAIN ANALYZE SELECT %v FROM customers c",
        "EXPLAIN (ANALYZE, COSTS off) %d",
        "EXPLAIN (ANALYZE false) %d",
        "EXPLAIN %d",
        "DECLARE cur CURSOR FOR SELECT %v FROM customers c",
        "DECLARE cur CURSOR WITH HOLD FOR SELECT %v FROM customers c",
        "PREPARE p%n AS SELECT %v FROM customers c",
        "PREPARE p%n AS %d",
        "%d",
        "COPY (SELECT %v FROM customers c) TO STDOUT",
        "COPY orders TO STDOUT",
        "SET search_path TO public",
        "SET search_path = public, pg_catalog",
        "SET ROLE diff_reader",
        "SET SESSION AUTHORIZATION diff_reader",
        "SET transaction_read_only = off",
        "SET default_transaction_read_only TO off",
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
        "SET TRANSACTION READ WRITE",
        "SET client_encoding = 'LATIN1'",
        "SET NAMES 'LATIN1'",
        "SET standard_conforming_strings = off",
        "SET \"Role\" = diff_reader",
        "SET LOCAL statement_timeout = '1s'",
        "RESET ALL",
        "RESET ROLE",
        "SHOW search_path",
        "LISTEN ch",
        "NOTIFY ch",
        "LOCK TABLE orders",
        "DO $$BEGIN PERFORM setval('s', 12); END$$",
        "CALL proc_writer()",
        "DISCARD ALL",
        "SELECT 1"
    };

    private static final String[] COMMENTS = {" /* c */ ", " -- c\n", " /* a /* nested */ b */ ", " --\r", "\n\t"};

    private final Random random;
    private int counter;

    StatementGrammar(Random random) {
        this.random = random;
    }

    String next() {
        String template = pick(TEMPLATES);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '%' && i + 1 < template.length()) {
                char k = template.charAt(++i);
                sb.append(
                        switch (k) {
                            case 'v' -> pick(VALUES);
                            case 'd' -> pick(DML);
                            case 'n' -> String.valueOf(counter++);
                            default -> "%" + k;
                        });
            } else {
                sb.append(c);
            }
        }
        String sql = sb.toString();
        int mutations = random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            sql = mutate(sql);
        }
        return sql;
    }

    private String mutate(String sql) {
        return switch (random.nextInt(7)) {
            case 0 -> flipCase(sql);
            case 1 -> comments(sql);
            case 2 -> sql.startsWith("SELECT") ? "SELECT * FROM (" + sql + ") wrapped" : sql;
            case 3 -> sql.startsWith("SELECT") ? "(" + sql + ")" : sql;
            case 4 -> sql.replace("setval(", "pg_catalog.setval(").replace("nextval(", "\"nextval\"(");
            case 5 -> sql.startsWith("SELECT") ? "WITH outer_w AS (" + sql + ") SELECT * FROM outer_w" : sql;
            default -> sql.replace(" ", random.nextBoolean() ? "\n" : "\t");
        };
    }

    /** Upper- or lower-cases unquoted words: keywords and names fold, quoted ones do not change. */
    private String flipCase(String sql) {
        StringBuilder sb = new StringBuilder(sql);
        for (Token t : SqlTokens.scan(sql, true).tokens()) {
            if (t.kind() == Kind.WORD && random.nextBoolean()) {
                String w = sql.substring(t.start(), t.end());
                sb.replace(
                        t.start(),
                        t.end(),
                        random.nextBoolean() ? w.toUpperCase(Locale.ROOT) : w.toLowerCase(Locale.ROOT));
            }
        }
        return sb.toString();
    }

    /** A comment between two tokens (never inside one). */
    private String comments(String sql) {
        List<Token> tokens = SqlTokens.scan(sql, true).tokens();
        if (tokens.size() < 2) {
            return sql;
        }
        int at = tokens.get(1 + random.nextInt(tokens.size() - 1)).start();
        return sql.substring(0, at) + pick(COMMENTS) + sql.substring(at);
    }

    private String pick(String[] from) {
        return from[random.nextInt(from.length)];
    }
}
