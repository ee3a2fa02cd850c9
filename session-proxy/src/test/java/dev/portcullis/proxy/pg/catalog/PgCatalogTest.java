package dev.portcullis.proxy.pg.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.PostgresServer;
import dev.portcullis.devstack.SharedDevStack;
import dev.portcullis.proxy.pg.sql.FunctionVolatility.Volatility;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The catalog snapshot against a real PostgreSQL, loaded as a non-superuser role with its own search_path. */
class PgCatalogTest {

    private static final String DB = "catalog_test";
    private static final String ROLE = "catalog_reader";
    private static final String PASSWORD = "catalog-reader-dev";

    private static PostgresServer pg;

    @BeforeAll
    static void target() {
        pg = SharedDevStack.ensure(Component.POSTGRES).postgres();
        pg.execute("postgres", "DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
        pg.createDatabase(DB, ROLE, PASSWORD);
        pg.execute(
                DB,
                "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
                "CREATE SCHEMA app",
                "CREATE SCHEMA other",
                "CREATE SCHEMA hidden",
                "CREATE TABLE app.customers (id int, name text, email text, phone text)",
                "ALTER TABLE app.customers DROP COLUMN phone",
                "ALTER TABLE app.customers ADD COLUMN card_number text",
                "CREATE TABLE public.customers (id int, note text)",
                "CREATE TABLE hidden.secrets (id int, token text)",
                "CREATE FUNCTION app.lookup(int) RETURNS text STABLE LANGUAGE sql AS 'SELECT email FROM app.customers WHERE id = $1'",
                "CREATE VIEW app.contacts AS SELECT id, email AS contact FROM app.customers",
                "CREATE VIEW app.contacts2 AS SELECT contact FROM app.contacts",
                "CREATE VIEW app.safe AS SELECT id, name FROM app.customers",
                "CREATE VIEW app.via_function AS SELECT id, app.lookup(id) AS x FROM app.customers",
                "CREATE VIEW app.via_xml AS SELECT query_to_xml('SELECT 1', true, false, '') AS x",
                "CREATE VIEW app.api_secrets AS SELECT id FROM hidden.secrets",
                "CREATE MATERIALIZED VIEW app.mv AS SELECT email FROM app.customers",
                "CREATE FUNCTION app.f_imm(int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT $1'",
                "CREATE FUNCTION app.f_stable(int) RETURNS int STABLE LANGUAGE sql AS 'SELECT $1'",
                "CREATE FUNCTION app.f_vol(int) RETURNS int VOLATILE LANGUAGE sql AS 'SELECT $1'",
                "CREATE FUNCTION app.over(int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT $1'",
                "CREATE FUNCTION app.over(text) RETURNS text VOLATILE LANGUAGE sql AS 'SELECT $1'",
                "CREATE FUNCTION public.shared() RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT 1'",
                "CREATE FUNCTION other.shared() RETURNS int VOLATILE LANGUAGE sql AS 'SELECT 1'",
                "CREATE FUNCTION app.upper(int) RETURNS int VOLATILE LANGUAGE sql AS 'SELECT $1'",
                "CREATE FUNCTION \"Mixed\"() RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT 1'",
                "GRANT USAGE ON SCHEMA app, other TO " + ROLE,
                "GRANT SELECT ON ALL TABLES IN SCHEMA app TO " + ROLE,
                "ALTER ROLE " + ROLE + " IN DATABASE " + DB + " SET search_path = app, public");
    }

    private static List<String[]> load(Connection c) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(PgCatalog.LOAD_SQL)) {
            while (rs.next()) {
                String[] row = new String[6];
                for (int i = 0; i < 6; i++) {
                    row[i] = rs.getString(i + 1);
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static PgCatalog catalog() throws SQLException {
        try (Connection c = pg.connect(DB, ROLE, PASSWORD)) {
            return PgCatalog.fromRows(load(c));
        }
    }

    private static long oid(String regclass) throws SQLException {
        try (Connection c = pg.connect(DB, ROLE, PASSWORD);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT '" + regclass + "'::regclass::oid")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void searchPathIsTheRolesWithPgCatalogFirst() throws SQLException {
        assertEquals(List.of("pg_catalog", "app", "public"), catalog().searchPath());
    }

    @Test
    void relationsResolveAlongTheSearchPathAndByOidWithDroppedColumnsSkipped() throws SQLException {
        PgCatalog cat = catalog();
        Relation customers = cat.relation(null, "customers").orElseThrow();
        assertEquals("app", customers.schema());
        assertEquals('r', customers.kind());
        assertEquals(Arrays.asList("id", "name", "email", null, "card_number"), customers.columns());
        assertEquals("email", customers.column(3));
        assertEquals(null, customers.column(4), "a dropped column has no name");
        assertEquals("card_number", customers.column(5));
        assertEquals(null, customers.column(6));
        assertEquals(List.of("id", "name", "email", "card_number"), customers.liveColumns());
        assertEquals(customers, cat.relation((int) oid("app.customers")).orElseThrow());
        assertEquals("public", cat.relation("public", "customers").orElseThrow().schema());
        assertEquals(
                List.of("id", "note"),
                cat.relation("public.customers").orElseThrow().liveColumns());
        assertEquals(customers, cat.relation("CUSTOMERS").orElseThrow(), "an unquoted name folds to lower case");
        assertTrue(cat.relation(null, "secrets").isEmpty(), "hidden is not on the search_path");
        assertTrue(cat.relation(null, "nope").isEmpty());
        assertTrue(cat.relation(0).isEmpty());
    }

    @Test
    void viewsKnowEveryRelationTheyReadTransitively() throws SQLException {
        PgCatalog cat = catalog();
        long customers = oid("app.customers");
        Relation contacts = cat.relation("app.contacts").orElseThrow();
        assertTrue(contacts.isView());
        assertEquals(List.of("id", "contact"), contacts.columns());
        assertEquals(java.util.Set.of(customers), contacts.reads());
        Relation contacts2 = cat.relation("contacts2").orElseThrow();
        assertEquals(java.util.Set.of(customers, oid("app.contacts")), contacts2.reads());
        assertFalse(contacts2.opaque());
        Relation mv = cat.relation("mv").orElseThrow();
        assertEquals('m', mv.kind());
        assertEquals(java.util.Set.of(customers), mv.reads());
        Relation secrets = cat.relation("api_secrets").orElseThrow();
        long hidden = secrets.reads().iterator().next();
        assertEquals(
                List.of("id", "token"),
                cat.relation(hidden).orElseThrow().liveColumns(),
                "a base table in a schema the role cannot use is still known");
        assertTrue(
                customers > 0 && cat.relation("customers").orElseThrow().reads().isEmpty());
    }

    @Test
    void viewsCallingUserFunctionsOrSqlTextFunctionsAreOpaque() throws SQLException {
        PgCatalog cat = catalog();
        assertTrue(cat.relation("via_function").orElseThrow().opaque());
        assertTrue(cat.relation("via_xml").orElseThrow().opaque());
        assertFalse(cat.relation("safe").orElseThrow().opaque());
        assertFalse(cat.relation("contacts").orElseThrow().opaque());
    }

    @Test
    void functionVolatilityIsTheStrictestOverloadAlongTheSearchPath() throws SQLException {
        PgCatalog cat = catalog();
        assertEquals(Volatility.IMMUTABLE, cat.of(null, "f_imm"));
        assertEquals(Volatility.STABLE, cat.of(null, "f_stable"));
        assertEquals(Volatility.VOLATILE, cat.of(null, "f_vol"));
        assertEquals(Volatility.VOLATILE, cat.of(null, "over"), "one overload is volatile");
        assertEquals(Volatility.IMMUTABLE, cat.of(null, "shared"), "other is not on the search_path");
        assertEquals(Volatility.VOLATILE, cat.of("other", "shared"));
        assertEquals(Volatility.IMMUTABLE, cat.of("public", "shared"));
        assertEquals(Volatility.VOLATILE, cat.of(null, "upper"), "app.upper(int) is an overload of upper");
        assertEquals(Volatility.IMMUTABLE, cat.of("pg_catalog", "upper"));
        assertEquals(List.of("pg_catalog", "app"), cat.functionSchemas(null, "upper"));
        assertEquals(Volatility.STABLE, cat.of(null, "now"));
        assertEquals(Volatility.VOLATILE, cat.of(null, "setval"));
        assertEquals(Volatility.VOLATILE, cat.of(null, "pg_terminate_backend"));
        assertEquals(Volatility.VOLATILE, cat.of(null, "set_config"));
        assertEquals(Volatility.IMMUTABLE, cat.of(null, "Mixed"), "a quoted mixed-case name as written");
        assertEquals(Volatility.UNKNOWN, cat.of(null, "mixed"));
        assertEquals(Volatility.UNKNOWN, cat.of(null, "no_such_function"));
        assertEquals(Volatility.UNKNOWN, cat.of("nope", "upper"));
        assertEquals(Volatility.UNKNOWN, PgCatalog.EMPTY.of(null, "upper"));
    }

    @Test
    void theSessionsTemporarySchemaComesFirstForRelationsButNeverForFunctions() throws SQLException {
        try (Connection c = pg.connect(DB, ROLE, PASSWORD)) {
            pg.execute(DB, "GRANT TEMP ON DATABASE " + DB + " TO " + ROLE);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMP TABLE customers (tmp_only int)");
                s.execute("CREATE FUNCTION pg_temp.f_imm(int) RETURNS int VOLATILE LANGUAGE sql AS 'SELECT $1'");
            }
            PgCatalog cat = PgCatalog.fromRows(load(c));
            assertTrue(
                    cat.searchPath().get(0).startsWith("pg_temp_"),
                    cat.searchPath().toString());
            assertEquals(
                    List.of("tmp_only"), cat.relation("customers").orElseThrow().liveColumns());
            assertEquals(
                    Volatility.IMMUTABLE, cat.of(null, "f_imm"), "PostgreSQL never searches pg_temp for functions");
        } finally {
            pg.execute(DB, "REVOKE TEMP ON DATABASE " + DB + " FROM " + ROLE);
        }
    }

    @Test
    void theLoadIsOneSmallResult() throws SQLException {
        try (Connection c = pg.connect(DB, ROLE, PASSWORD)) {
            List<String[]> rows = load(c);
            long bytes = rows.stream()
                    .flatMap(Arrays::stream)
                    .mapToLong(v -> v == null ? 0 : v.length())
                    .sum();
            PgCatalog cat = PgCatalog.fromRows(rows);
            // every function of a schema and volatility in one row: a few hundred rows, not thousands
            assertTrue(rows.size() < 400, rows.size() + " rows");
            assertTrue(cat.functionCount() > 2000, "pg_catalog's functions are known: " + cat.functionCount());
            System.out.printf("catalog load: %d rows, %d bytes of values, %s%n", rows.size(), bytes, cat);
        }
    }
}
