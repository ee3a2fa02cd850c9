package dev.portcullis.proxy.pg.masking;

import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.pg.catalog.PgCatalog;
import dev.portcullis.proxy.pg.codec.PgBackendMessages.Field;
import dev.portcullis.proxy.pg.masking.StatementLineage.ColumnRef;
import dev.portcullis.proxy.pg.masking.StatementLineage.FunctionRef;
import dev.portcullis.proxy.pg.masking.StatementLineage.OutputLineage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A small target catalog, the default pack's mask rules, and builders for fields and lineages. */
public final class MaskingFixtures {

    private MaskingFixtures() {}

    static final int CUSTOMERS = 100;
    static final int ORDERS = 101;
    static final int CONTACTS = 102;
    static final int SAFE_VIEW = 103;
    static final int ORDER_VIEW = 104;
    static final int OPAQUE_VIEW = 105;
    static final int PG_STATS = 106;
    static final int PG_CLASS = 107;
    static final int APP_CUSTOMERS = 108;
    static final int TEXT = 25;
    static final int INT4 = 23;
    static final int INT8 = 20;
    static final int JSON = 114;
    static final int BOOL = 16;

    /** customers(id, name, email, phone, card_number, created_at) and friends, search_path pg_catalog, public. */
    static final PgCatalog CATALOG = PgCatalog.fromRows(List.of(
            new String[] {"p", "1", "pg_catalog", null, null, null},
            new String[] {"p", "2", "public", null, null, null},
            new String[] {"r", "100", "public", "customers", "r", "{id,name,email,phone,card_number,created_at}"},
            new String[] {"r", "101", "public", "orders", "r", "{id,customer_id,total,NULL,note}"},
            new String[] {"r", "102", "public", "contacts", "v", "{id,contact}"},
            new String[] {"r", "103", "public", "safe_view", "v", "{id,name}"},
            new String[] {"r", "104", "public", "order_view", "v", "{id,total}"},
            new String[] {"r", "105", "public", "opaque_view", "v", "{id,x}"},
            new String[] {"r", "106", "pg_catalog", "pg_stats", "v", "{schemaname,tablename,attname,most_common_vals}"},
            new String[] {"r", "107", "pg_catalog", "pg_class", "r", "{oid,relname}"},
            new String[] {"r", "108", "app", "customers", "r", "{id,secret_note}"},
            new String[] {"d", "102", "100", null, null, null},
            new String[] {"d", "103", "100", null, null, null},
            new String[] {"d", "104", "101", null, null, null},
            new String[] {"d", "105", "101", null, null, null},
            new String[] {"g", "105", "pg_proc", "16999", "lookup", null},
            new String[] {
                "f",
                "pg_catalog",
                "i",
                "{upper,lower,replace,reverse,encode,convert_to,concat,length,md5,substr,left,right,translate,"
                        + "format,to_char,row_to_json,to_jsonb,json_build_object,textcat,int4,date}",
                null,
                null
            },
            new String[] {
                "f", "pg_catalog", "s", "{now,json_agg,string_agg,array_agg,count,min,max,query_to_xml}", null, null
            },
            new String[] {"f", "pg_catalog", "v", "{random,setval}", null, null},
            new String[] {"f", "public", "v", "{lookup,upper}", null, null},
            new String[] {"f", "app", "i", "{helper}", null, null}));

    /** The default pack's mask rules (policy-service's default-masking.yaml). */
    public static final List<MaskRule> DEFAULT_RULES = List.of(
            new MaskRule("*email*", null, "redact"),
            new MaskRule("*phone*", null, "redact"),
            new MaskRule("*ssn*", null, "redact"),
            new MaskRule("*card*", null, "last4"),
            new MaskRule("*password*", null, "redact"),
            new MaskRule("*secret*", null, "redact"),
            new MaskRule("*token*", null, "redact"),
            new MaskRule(null, "credit_card", "last4"),
            new MaskRule(null, "email", "redact"),
            new MaskRule(null, "cloud_key", "redact"),
            new MaskRule(null, "jwt", "redact"));

    static Field field(String name, int tableOid, int attnum, int typeOid) {
        return new Field(name, tableOid, (short) attnum, typeOid, (short) -1, -1, (short) 0);
    }

    static Field computed(String name) {
        return field(name, 0, 0, TEXT);
    }

    static ColumnRef col(String column) {
        return ColumnRef.of(column);
    }

    static ColumnRef col(String qualifier, String column) {
        return ColumnRef.of(qualifier, column);
    }

    static OutputLineage item(ColumnRef... columns) {
        return OutputLineage.of(columns);
    }

    static OutputLineage wholeRow(String qualifier) {
        return new OutputLineage(List.of(), List.of(qualifier), false, false);
    }

    static final OutputLineage STAR = new OutputLineage(List.of(), List.of(), true, false);

    static final OutputLineage OPAQUE = new OutputLineage(List.of(), List.of(), false, true);

    static FunctionRef fn(String name) {
        return new FunctionRef(null, name);
    }

    /** A SELECT over plain relations: references and whole rows collected from its items. */
    static StatementLineage select(
            List<String> tables, Map<String, String> aliases, List<FunctionRef> functions, OutputLineage... items) {
        return lineage(tables, aliases, functions, false, items);
    }

    static StatementLineage lineage(
            List<String> tables,
            Map<String, String> aliases,
            List<FunctionRef> functions,
            boolean derived,
            OutputLineage... items) {
        Set<ColumnRef> refs = new LinkedHashSet<>();
        Set<String> rows = new LinkedHashSet<>();
        for (OutputLineage i : items) {
            refs.addAll(i.columns());
            rows.addAll(i.wholeRows());
        }
        return new StatementLineage(
                List.of(items), aliases, tables, new ArrayList<>(refs), new ArrayList<>(rows), functions, derived);
    }

    /** {@code SELECT <items> FROM customers} calling {@code functions}. */
    static StatementLineage fromCustomers(List<String> functions, OutputLineage... items) {
        return select(
                List.of("customers"),
                Map.of(),
                functions.stream().map(MaskingFixtures::fn).toList(),
                items);
    }
}
