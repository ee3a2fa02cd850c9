package dev.portcullis.proxy.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.ConnectionType;
import dev.portcullis.contracts.connections.Credentials;
import dev.portcullis.contracts.connections.SessionLimits;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the backend's StartupMessage holds: the proxy's own settings, and only the client's harmless ones. */
class BackendStartupTest {

    private static final Credentials READER = new Credentials("app_ro", "/secrets/read", null, null, null, null, null);
    private static final Credentials WRITER = new Credentials("app_rw", "/secrets/write", null, null, null, null, null);
    private static final SessionLimits DEFAULTS =
            new SessionLimits(Duration.ofMinutes(5), Duration.ofSeconds(60), Duration.ofSeconds(10), 1024L * 1024);

    private static Connection connection(SessionLimits limits) {
        return new Connection(
                "pg-prod",
                ConnectionType.POSTGRES,
                "db:5432",
                "app",
                List.of(AccessLevel.READ, AccessLevel.WRITE),
                Map.of(AccessLevel.READ, READER, AccessLevel.WRITE, WRITER),
                Map.of(),
                null,
                null,
                null,
                limits);
    }

    private static Map<String, String> client(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("user", "agent-says-postgres");
        m.put("database", "pg-prod");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void aReadSessionIsReadOnlyWithTheLimitsAndTheCredentialsUserNeverTheClients() {
        BackendStartup.Result r =
                BackendStartup.parameters(connection(SessionLimits.NONE), READER, AccessLevel.READ, client(), DEFAULTS);
        assertThat(r.refused()).isFalse();
        assertThat(r.parameters())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "user", "app_ro",
                        "database", "app",
                        "client_encoding", "UTF8",
                        "default_transaction_read_only", "on",
                        "statement_timeout", "300000ms",
                        "idle_in_transaction_session_timeout", "60000ms",
                        "lock_timeout", "10000ms"));
    }

    @Test
    void aWriteSessionHasTheLimitsButNotReadOnly() {
        Map<String, String> p = BackendStartup.parameters(
                        connection(SessionLimits.NONE), WRITER, AccessLevel.WRITE, client(), DEFAULTS)
                .parameters();
        assertThat(p).doesNotContainKey("default_transaction_read_only");
        assertThat(p).containsEntry("user", "app_rw").containsEntry("statement_timeout", "300000ms");
    }

    @Test
    void theConnectionsOwnLimitsWinOneByOne() {
        SessionLimits own = new SessionLimits(Duration.ofHours(1), null, Duration.ofMillis(1500), null);
        Map<String, String> p = BackendStartup.parameters(connection(own), READER, AccessLevel.READ, client(), DEFAULTS)
                .parameters();
        assertThat(p)
                .containsEntry("statement_timeout", "3600000ms")
                .containsEntry("idle_in_transaction_session_timeout", "60000ms")
                .containsEntry("lock_timeout", "1500ms")
                .as("temp_file_limit is for superusers at login: set on the role, checked by the audit")
                .doesNotContainKey("temp_file_limit");
    }

    @Test
    void onlyHarmlessClientParametersPassAndNeverOneThatUndoesTheProxysSettings() {
        Map<String, String> p = BackendStartup.parameters(
                        connection(SessionLimits.NONE),
                        READER,
                        AccessLevel.READ,
                        client(
                                "application_name", "psql",
                                "DateStyle", "ISO, MDY",
                                "TimeZone", "UTC",
                                "extra_float_digits", "3",
                                "IntervalStyle", "iso_8601",
                                "search_path", "app, public",
                                "client_encoding", "UTF8",
                                "options", "-c default_transaction_read_only=off",
                                "default_transaction_read_only", "off",
                                "transaction_read_only", "off",
                                "statement_timeout", "0",
                                "replication", "database",
                                "role", "postgres",
                                "session_authorization", "postgres",
                                "standard_conforming_strings", "off",
                                "_pq_.protocol_managed_params", "x"),
                        DEFAULTS)
                .parameters();
        assertThat(p)
                .containsEntry("application_name", "psql")
                .containsEntry("DateStyle", "ISO, MDY")
                .containsEntry("TimeZone", "UTC")
                .containsEntry("extra_float_digits", "3")
                .containsEntry("IntervalStyle", "iso_8601")
                .containsEntry("search_path", "app, public")
                .containsEntry("user", "app_ro")
                .containsEntry("default_transaction_read_only", "on")
                .containsEntry("statement_timeout", "300000ms")
                .doesNotContainKeys(
                        "options",
                        "transaction_read_only",
                        "replication",
                        "role",
                        "session_authorization",
                        "standard_conforming_strings",
                        "_pq_.protocol_managed_params");
    }

    @ParameterizedTest
    @ValueSource(strings = {"UTF8", "utf8", "UTF-8", "utf_8", "Unicode", "SQL_ASCII", "sql-ascii"})
    void aUtf8CompatibleClientEncodingIsServedAsUtf8(String encoding) {
        assertThat(BackendStartup.checkClient(client("client_encoding", encoding)))
                .isEmpty();
        assertThat(BackendStartup.parameters(
                                connection(SessionLimits.NONE),
                                READER,
                                AccessLevel.READ,
                                client("client_encoding", encoding),
                                DEFAULTS)
                        .parameters())
                .containsEntry("client_encoding", "UTF8");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"SJIS", "BIG5", "GBK", "GB18030", "UHC", "JOHAB", "LATIN1", "WIN1252", "EUC_JP", "auto", ""})
    void anotherClientEncodingIsRefusedWithAClearFatalError(String encoding) {
        BackendStartup.Result r = BackendStartup.parameters(
                connection(SessionLimits.NONE),
                READER,
                AccessLevel.READ,
                client("client_encoding", encoding),
                DEFAULTS);
        assertThat(r.refused()).isTrue();
        assertThat(r.parameters()).isEmpty();
        assertThat(r.refusal().sqlstate()).isEqualTo("0A000");
        assertThat(r.refusal().message())
                .startsWith("client_encoding \"" + encoding.toUpperCase(java.util.Locale.ROOT) + "\" is not supported")
                .contains("UTF8");
        assertThat(BackendStartup.checkClient(client("client_encoding", encoding)))
                .contains(r.refusal());
    }

    @Test
    void anUnprintableEncodingNameIsNotEchoed() {
        assertThat(BackendStartup.checkClient(client("client_encoding", "SJIS\u001b[2J"))
                        .orElseThrow()
                        .message())
                .contains("(unprintable)")
                .doesNotContain("\u001b");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "app",
                "pg_catalog, app",
                "\"$user\", public",
                "PG_CATALOG,app",
                "  pg_catalog ,x",
                "\"pg_catalog\""
            })
    void aSearchPathThatKeepsPgCatalogFirstPasses(String path) {
        assertThat(BackendStartup.checkClient(client("search_path", path))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil, pg_catalog", "public,PG_CATALOG", "\"a,b\", \"pg_catalog\"", "x , pg_catalog , y"})
    void aSearchPathThatPutsASchemaBeforePgCatalogIsRefused(String path) {
        BackendStartup.Refusal r =
                BackendStartup.checkClient(client("search_path", path)).orElseThrow();
        assertThat(r.sqlstate()).isEqualTo("0A000");
        assertThat(r.message()).contains("pg_catalog");
    }

    @Test
    void searchPathIsSplitAsPostgreSqlReadsIt() {
        assertThat(BackendStartup.schemas("\"My Schema\", Public,\"a\"\"b\",\"x,y\""))
                .containsExactly("My Schema", "public", "a\"b", "x,y");
        assertThat(BackendStartup.normalizeEncoding("Sql_Ascii")).isEqualTo("sqlascii");
    }
}
