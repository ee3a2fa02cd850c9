package dev.portcullis.proxy.pg.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.pg.sql.FunctionVolatility.Volatility;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CatalogRowsTest {

    @Test
    void arrayLiteralsAsArrayOutWritesThem() {
        assertEquals(List.of(), CatalogRows.parseArray("{}"));
        assertEquals(List.of("a", "b"), CatalogRows.parseArray("{a,b}"));
        assertEquals(
                Arrays.asList("id", null, "NULL", "a,b", "say \"hi\"", "back\\slash", "", "{x}"),
                CatalogRows.parseArray("{id,NULL,\"NULL\",\"a,b\",\"say \\\"hi\\\"\",\"back\\\\slash\",\"\",\"{x}\"}"));
        for (String bad : new String[] {null, "", "{", "{a", "{\"a}", "x{a}", "{a}x", "{\"a\"b}"}) {
            assertThrows(IllegalArgumentException.class, () -> CatalogRows.parseArray(bad), String.valueOf(bad));
        }
    }

    @Test
    void rowsBuildASnapshot() {
        PgCatalog c = PgCatalog.fromRows(List.of(
                new String[] {"p", "2", "public", null, null, null},
                new String[] {"p", "1", "pg_catalog", null, null, null},
                new String[] {"r", "100", "public", "t", "r", "{id,NULL,email}"},
                new String[] {"r", "101", "public", "v", "v", "{contact}"},
                new String[] {"r", "102", "public", "w", "v", "{x}"},
                new String[] {"r", "103", "public", "empty", "r", null},
                new String[] {"r", "4294967295", "public", "high", "r", "{a}"},
                new String[] {"d", "101", "100", null, null, null},
                new String[] {"d", "102", "101", null, null, null},
                new String[] {"g", "102", "pg_proc", "16500", "lookup", null},
                new String[] {"g", "101", "pg_proc", "2000", "upper", null},
                new String[] {"f", "pg_catalog", "i", "{upper,lower}", null, null},
                new String[] {"f", "public", "v", "{upper}", null, null},
                new String[] {"z", "a later kind", null, null, null, null}));
        assertEquals(List.of("pg_catalog", "public"), c.searchPath());
        assertEquals(
                Arrays.asList("id", null, "email"),
                c.relation(100L).orElseThrow().columns());
        assertEquals(java.util.Set.of(100L), c.relation(101L).orElseThrow().reads());
        assertEquals(
                java.util.Set.of(100L, 101L), c.relation(102L).orElseThrow().reads());
        assertTrue(c.relation(102L).orElseThrow().opaque());
        assertTrue(!c.relation(101L).orElseThrow().opaque(), "a built-in function is not opaque");
        assertEquals(List.of(), c.relation("empty").orElseThrow().columns());
        assertEquals("high", c.relation(-1).orElseThrow().name(), "RowDescription's OID is unsigned");
        assertEquals(Volatility.VOLATILE, c.of(null, "upper"));
        assertEquals(Volatility.IMMUTABLE, c.of(null, "lower"));
        assertEquals(Volatility.IMMUTABLE, c.withSearchPath(List.of("other")).of(null, "upper"));
        assertTrue(c.withSearchPath(List.of("other")).relation("t").isEmpty());
    }

    @Test
    void aViewReadingAnOpaqueViewIsOpaque() {
        PgCatalog c = PgCatalog.fromRows(List.of(
                new String[] {"r", "1", "s", "a", "v", "{x}"},
                new String[] {"r", "2", "s", "b", "v", "{x}"},
                new String[] {"d", "2", "1", null, null, null},
                new String[] {"d", "1", "2", null, null, null},
                new String[] {"g", "1", "pg_proc", "1", "query_to_xml", null}));
        assertTrue(c.relation(2L).orElseThrow().opaque());
        assertEquals(java.util.Set.of(1L), c.relation(2L).orElseThrow().reads(), "a cycle ends");
    }

    @Test
    void malformedRowsAreRefused() {
        for (String[] row : List.of(
                new String[] {"r", "x", "s", "t", "r", "{a}"},
                new String[] {"r", "1", null, "t", "r", "{a}"},
                new String[] {"r", "1", "s", "t", "r", "{a"},
                new String[] {"f", "s", "q", "{a}", null, null},
                new String[] {"p", "1"},
                new String[] {null, null, null, null, null, null})) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> PgCatalog.fromRows(List.<String[]>of(row)),
                    Arrays.toString(row));
        }
    }
}
