package dev.portcullis.proxy.pg.sql;

import java.util.Set;

/**
 * Built-in functions that run SQL given as text, or read whole tables or files named by a value: what
 * they read cannot be told from the statement, so their calls are never read-only and their results
 * never have a known lineage. One list for the analyzer and the catalog (a view calling one is opaque).
 */
public final class SqlTextFunctions {

    public static final Set<String> NAMES = Set.of(
            "query_to_xml",
            "query_to_xmlschema",
            "query_to_xml_and_xmlschema",
            "cursor_to_xml",
            "cursor_to_xmlschema",
            "table_to_xml",
            "table_to_xmlschema",
            "table_to_xml_and_xmlschema",
            "schema_to_xml",
            "schema_to_xmlschema",
            "schema_to_xml_and_xmlschema",
            "database_to_xml",
            "database_to_xmlschema",
            "database_to_xml_and_xmlschema",
            "ts_stat",
            "ts_rewrite",
            "pg_read_file",
            "pg_read_binary_file",
            "pg_logical_slot_get_changes",
            "pg_logical_slot_peek_changes",
            "pg_logical_slot_get_binary_changes",
            "pg_logical_slot_peek_binary_changes");

    private SqlTextFunctions() {}
}
