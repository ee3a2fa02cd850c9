package dev.portcullis.proxy.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.ConnectionType;
import dev.portcullis.contracts.connections.Credentials;
import dev.portcullis.proxy.pg.ReadRoleAudit.Row;
import dev.portcullis.proxy.pg.ReadRoleAudit.Verdict;
import dev.portcullis.proxy.pg.codec.PgMessages;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The read-role audit's rules over the query's rows (each refusal names the privilege), its reading of the backend's
 * frames (fail closed), and how long a pass is trusted. The same rules against a real PostgreSQL:
 * {@code ReadRoleAuditDatabaseTest}.
 */
class ReadRoleAuditTest {

    private static final long GB = 1024L * 1024;

    /** What a good read role answers: its login, read-only on the role, a 1GB temp file limit, lo privileges on. */
    private static List<Row> good(Row... extra) {
        List<Row> rows = new ArrayList<>(List.of(
                new Row("login", "app_ro", "", "app_ro"),
                new Row("role setting", "role", "default_transaction_read_only=on", "app_ro"),
                new Row("role setting", "role", "temp_file_limit=1GB", "app_ro"),
                new Row("setting", "lo_compat_privileges", "off", ""),
                new Row("setting", "temp_file_limit", "1048576", "")));
        rows.addAll(Arrays.asList(extra));
        return rows;
    }

    private static Verdict evaluate(List<Row> rows) {
        return ReadRoleAudit.evaluate(rows, GB);
    }

    private static void assertRefused(List<Row> rows, String reason) {
        Verdict v = evaluate(rows);
        assertThat(v.passed()).as("refused: " + reason).isFalse();
        assertThat(v.problems()).contains(reason);
        assertThat(v.summary()).contains(v.problems().get(0));
    }

    @Test
    void aReadOnlyRolePasses() {
        Verdict v = evaluate(good());
        assertThat(v.problems()).isEmpty();
        assertThat(v.passed()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"SUPERUSER", "CREATEROLE", "CREATEDB", "REPLICATION", "BYPASSRLS"})
    void eachRoleAttributeThatCanWriteIsNamed(String attribute) {
        assertRefused(
                good(new Row("attribute", "app_ro", attribute, "app_ro")),
                "role app_ro has the attribute " + attribute);
    }

    @Test
    void anAttributeOfARoleItCanBecomeIsNamedWithThatRole() {
        assertRefused(
                good(new Row("member", "ops", "", "app_ro"), new Row("attribute", "ops", "SUPERUSER", "ops")),
                "role app_ro, as a member of role ops, has the attribute SUPERUSER");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "pg_signal_backend",
                "pg_read_server_files",
                "pg_write_server_files",
                "pg_execute_server_program",
                "pg_write_all_data",
                "pg_maintain",
                "pg_checkpoint",
                "pg_create_subscription",
                "pg_some_future_role"
            })
    void membershipInAPredefinedRoleThatIsNotReadOnlyIsNamed(String role) {
        assertRefused(good(new Row("member", role, "", "app_ro")), "role app_ro is a member of " + role);
    }

    @Test
    void owningTheDatabaseIsNamed() {
        assertRefused(
                good(new Row("member", "pg_database_owner", "", "app_ro")),
                "role app_ro owns this database (it is a member of pg_database_owner)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pg_read_all_data", "pg_read_all_settings", "pg_read_all_stats", "pg_monitor"})
    void membershipInAReadOnlyPredefinedRoleOrAnOrdinaryRolePasses(String role) {
        assertThat(evaluate(good(new Row("member", role, "", "app_ro"), new Row("member", "readers", "", "app_ro")))
                        .passed())
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN"})
    void eachTablePrivilegeIsNamedWithItsTable(String privilege) {
        assertRefused(
                good(new Row("table", "public.customers", privilege, "app_ro")),
                "role app_ro has " + privilege + " on table public.customers");
    }

    @Test
    void aGrantToPublicIsNamedAsSuch() {
        assertRefused(
                good(new Row("table", "public.audit_log", "INSERT", "PUBLIC")),
                "every role (PUBLIC), so role app_ro, has INSERT on table public.audit_log");
    }

    @Test
    void theDefaultUpdateOnPgSettingsIsNotAWrite() {
        // every role has it; it is set_config(), refused in a read-only transaction (ReadRoleAuditDatabaseTest)
        assertThat(evaluate(good(new Row("table", "pg_catalog.pg_settings", "UPDATE", "app_ro")))
                        .passed())
                .isTrue();
        assertRefused(
                good(new Row("table", "pg_catalog.pg_settings", "DELETE", "app_ro")),
                "role app_ro has DELETE on table pg_catalog.pg_settings");
    }

    @Test
    void sequencesSchemasDatabaseFunctionsOwnershipAndLargeObjectsAreNamed() {
        assertRefused(
                good(new Row("sequence", "public.orders_id_seq", "USAGE", "app_ro")),
                "role app_ro has USAGE on sequence public.orders_id_seq (nextval/setval)");
        assertRefused(good(new Row("schema", "public", "CREATE", "app_ro")), "role app_ro has CREATE on schema public");
        assertRefused(
                good(new Row("database", "app", "TEMPORARY", "app_ro")), "role app_ro has TEMPORARY on database app");
        assertRefused(good(new Row("database", "app", "CREATE", "app_ro")), "role app_ro has CREATE on database app");
        assertRefused(
                good(new Row("function", "public.purge(integer)", "EXECUTE", "app_ro")),
                "role app_ro may EXECUTE the SECURITY DEFINER function public.purge(integer), which is VOLATILE"
                        + " (it may write as its owner)");
        assertRefused(
                good(new Row("owner", "table public.customers", "", "app_ro")),
                "role app_ro owns table public.customers");
        assertRefused(
                good(new Row("large object", "16397", "UPDATE", "PUBLIC")),
                "every role (PUBLIC), so role app_ro, has UPDATE on large object 16397");
    }

    @Test
    void defaultTransactionReadOnlyMustBeOnForTheRoleItself() {
        List<Row> none = new ArrayList<>(good());
        none.removeIf(r -> r.privilege().startsWith("default_transaction_read_only"));
        assertRefused(
                none,
                "default_transaction_read_only is not on for role app_ro itself: ALTER ROLE app_ro SET"
                        + " default_transaction_read_only = on");
        List<Row> off = new ArrayList<>(none);
        off.add(new Row("role setting", "role", "default_transaction_read_only=off", "app_ro"));
        assertRefused(
                off,
                "default_transaction_read_only is not on for role app_ro itself (it is 'off'): ALTER ROLE app_ro SET"
                        + " default_transaction_read_only = on");
    }

    @Test
    void aDatabaseSpecificSettingOverridesTheRoles() {
        // ALTER ROLE app_ro IN DATABASE app SET default_transaction_read_only = off wins in database app
        assertThat(evaluate(good(new Row("role setting", "database", "default_transaction_read_only=off", "app_ro")))
                        .passed())
                .isFalse();
        List<Row> onlyDb = new ArrayList<>(good());
        onlyDb.removeIf(r -> r.privilege().startsWith("default_transaction_read_only"));
        onlyDb.add(new Row("role setting", "role", "default_transaction_read_only=off", "app_ro"));
        onlyDb.add(new Row("role setting", "database", "default_transaction_read_only=true", "app_ro"));
        assertThat(evaluate(onlyDb).passed()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"on", "ON", "true", "yes", "1", "t", "'on'"})
    void trueSpellingsCount(String value) {
        assertThat(ReadRoleAudit.isTrue(value)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"off", "false", "0", "o", "", "no", "onn"})
    void otherSpellingsDoNot(String value) {
        assertThat(ReadRoleAudit.isTrue(value)).isFalse();
    }

    @Test
    void anUnlimitedOrLargerTempFileLimitIsRefusedWithTheFix() {
        List<Row> unlimited = good();
        unlimited.replaceAll(
                r -> r.object().equals("temp_file_limit") ? new Row("setting", "temp_file_limit", "-1", "") : r);
        assertRefused(
                unlimited,
                "temp_file_limit of role app_ro is unlimited, above the session limit 1GB: ALTER ROLE app_ro SET"
                        + " temp_file_limit = '1GB'");
        List<Row> larger = good();
        larger.replaceAll(
                r -> r.object().equals("temp_file_limit") ? new Row("setting", "temp_file_limit", "2097152", "") : r);
        assertRefused(
                larger,
                "temp_file_limit of role app_ro is 2GB, above the session limit 1GB: ALTER ROLE app_ro SET"
                        + " temp_file_limit = '1GB'");
        assertThat(ReadRoleAudit.evaluate(larger, 2 * GB).passed())
                .as("within a 2GB limit")
                .isTrue();
    }

    @Test
    void loCompatPrivilegesOnIsRefused() {
        List<Row> rows = good();
        rows.replaceAll(r ->
                r.object().equals("lo_compat_privileges") ? new Row("setting", "lo_compat_privileges", "on", "") : r);
        assertRefused(rows, "lo_compat_privileges is on: every role may write every large object");
    }

    @Test
    void anAnswerThatIsNotAnAuditFailsClosed() {
        assertThat(evaluate(List.of()).problems())
                .containsExactly("the audit query answered no login row; the role was not audited");
        List<Row> unknown = good(new Row("mystery", "x", "", "app_ro"));
        assertRefused(unknown, "the audit answered a row of unknown kind 'mystery'");
        List<Row> noSettings = new ArrayList<>(good());
        noSettings.removeIf(r -> r.kind().equals("setting"));
        assertRefused(noSettings, "the audit answered no temp_file_limit or lo_compat_privileges setting");
    }

    @Test
    void everyProblemIsListedAndTheSummaryCountsTheRest() {
        Verdict v = evaluate(good(
                new Row("attribute", "app_ro", "SUPERUSER", "app_ro"),
                new Row("table", "public.t", "INSERT", "app_ro"),
                new Row("schema", "public", "CREATE", "app_ro")));
        assertThat(v.problems()).hasSize(3);
        assertThat(v.summary()).isEqualTo("role app_ro has the attribute SUPERUSER (and 2 more)");
    }

    @Test
    void theClientsMessageNamesTheConnectionTheFirstReasonAndTheFix() {
        Verdict v = evaluate(good(new Row("member", "pg_signal_backend", "", "app_ro")));
        assertThat(ReadRoleAudit.refusalMessage("pg-prod", v))
                .isEqualTo("read sessions of connection \"pg-prod\" are refused: its read credential can write (role"
                        + " app_ro is a member of pg_signal_backend); see session-proxy's README, \"A read-only role"
                        + " on the target\"");
        assertThat(ReadRoleAudit.SQLSTATE_REFUSED).isEqualTo("08004");
    }

    /** The backend's frames, as the session hands them over. */
    @Nested
    class Reply {

        private Buffer rowDescription(int columns) {
            Buffer b = Buffer.buffer().appendByte((byte) 'T').appendInt(0).appendShort((short) columns);
            for (int i = 0; i < columns; i++) {
                b.appendBytes(("c" + i).getBytes(StandardCharsets.UTF_8))
                        .appendByte((byte) 0)
                        .appendInt(0)
                        .appendShort((short) 0)
                        .appendInt(25)
                        .appendShort((short) -1)
                        .appendInt(-1)
                        .appendShort((short) 0);
            }
            return b.setInt(1, b.length() - 1);
        }

        private Buffer dataRow(Row r) {
            List<Buffer> v = new ArrayList<>();
            for (String s : List.of(r.kind(), r.object(), r.privilege(), r.via())) {
                v.add(Buffer.buffer(s));
            }
            return PgMessages.dataRow(v);
        }

        private Buffer commandComplete() {
            Buffer b = Buffer.buffer()
                    .appendByte((byte) 'C')
                    .appendInt(0)
                    .appendString("SELECT 5")
                    .appendByte((byte) 0);
            return b.setInt(1, b.length() - 1);
        }

        private Verdict feed(ReadRoleAuditReply reply, Buffer... frames) {
            Verdict last = null;
            for (Buffer f : frames) {
                assertThat(last).as("no verdict before ReadyForQuery").isNull();
                last = reply.onMessage(f.getByte(0), f);
            }
            return last;
        }

        @Test
        void aGoodAnswerPassesOnReadyForQuery() {
            List<Buffer> frames = new ArrayList<>();
            frames.add(rowDescription(4));
            good().forEach(r -> frames.add(dataRow(r)));
            frames.add(commandComplete());
            frames.add(PgMessages.readyForQuery((byte) 'I'));
            Verdict v = feed(new ReadRoleAuditReply(GB), frames.toArray(Buffer[]::new));
            assertThat(v).isNotNull();
            assertThat(v.problems()).isEmpty();
        }

        @Test
        void aPrivilegeInTheAnswerIsRefused() {
            Verdict v = feed(
                    new ReadRoleAuditReply(GB),
                    rowDescription(4),
                    dataRow(good().get(0)),
                    dataRow(good().get(1)),
                    dataRow(good().get(3)),
                    dataRow(good().get(4)),
                    dataRow(new Row("member", "pg_signal_backend", "", "app_ro")),
                    commandComplete(),
                    PgMessages.readyForQuery((byte) 'I'));
            assertThat(v.problems()).containsExactly("role app_ro is a member of pg_signal_backend");
        }

        @Test
        void anErrorFailsClosedWithTheTargetsReason() {
            Verdict v = feed(
                    new ReadRoleAuditReply(GB),
                    PgMessages.errorResponse("ERROR", "42501", "permission denied for table pg_db_role_setting"),
                    PgMessages.readyForQuery((byte) 'I'));
            assertThat(v.passed()).isFalse();
            assertThat(v.problems())
                    .containsExactly(
                            "the audit query failed on the target: 42501 permission denied for table pg_db_role_setting");
        }

        @Test
        void aMalformedOrUnexpectedAnswerFailsClosed() {
            assertThat(feed(new ReadRoleAuditReply(GB), rowDescription(3), PgMessages.readyForQuery((byte) 'I'))
                            .problems())
                    .contains("the audit answered 3 columns, not 4");
            Buffer truncatedRow = Buffer.buffer()
                    .appendByte((byte) 'D')
                    .appendInt(10)
                    .appendShort((short) 4)
                    .appendInt(100);
            assertThat(feed(new ReadRoleAuditReply(GB), truncatedRow, PgMessages.readyForQuery((byte) 'I'))
                            .problems())
                    .singleElement()
                    .asString()
                    .startsWith("the target's answer to the audit is malformed");
            Buffer copyIn = Buffer.buffer().appendByte((byte) 'G').appendInt(4);
            assertThat(feed(new ReadRoleAuditReply(GB), copyIn, PgMessages.readyForQuery((byte) 'I'))
                            .problems())
                    .containsExactly("the target answered the audit with message 'G'");
        }

        @Test
        void noticesAndParameterStatusAreNotPartOfTheAnswer() {
            List<Buffer> frames = new ArrayList<>();
            frames.add(PgMessages.noticeResponse("01000", "hello"));
            frames.add(PgMessages.parameterStatus("application_name", "x"));
            frames.add(rowDescription(4));
            good().forEach(r -> frames.add(dataRow(r)));
            frames.add(PgMessages.readyForQuery((byte) 'I'));
            assertThat(feed(new ReadRoleAuditReply(GB), frames.toArray(Buffer[]::new))
                            .passed())
                    .isTrue();
        }

        @Test
        void theQueryMessageCarriesTheAuditSql() {
            Buffer q = ReadRoleAuditReply.query();
            assertThat(q.getByte(0)).isEqualTo((byte) 'Q');
            assertThat(q.getString(5, q.length() - 1, "UTF-8")).isEqualTo(ReadRoleAudit.QUERY);
        }
    }

    @Nested
    class Cache {

        private final Connection conn = new Connection(
                "pg-prod",
                ConnectionType.POSTGRES,
                "db:5432",
                "app",
                List.of(AccessLevel.READ),
                Map.of(AccessLevel.READ, new Credentials("app_ro", "/s", null, null, null, null, null)),
                Map.of(),
                null,
                null,
                null);
        private final Credentials reader = conn.credentials(AccessLevel.READ).orElseThrow();
        private final AtomicLong now = new AtomicLong(1_000);
        private final ReadRoleAuditCache cache = new ReadRoleAuditCache(Duration.ofMinutes(10), now::get);

        @Test
        void aPassIsTrustedForTheIntervalThenAuditedAgain() {
            assertThat(cache.needsAudit(conn, reader)).isTrue();
            cache.record(conn, reader, new Verdict(List.of()));
            assertThat(cache.needsAudit(conn, reader)).isFalse();
            now.addAndGet(Duration.ofMinutes(10).toNanos() - 1);
            assertThat(cache.needsAudit(conn, reader)).isFalse();
            now.addAndGet(1);
            assertThat(cache.needsAudit(conn, reader)).isTrue();
        }

        @Test
        void aRefusalIsNeverKeptAndForgetsAnEarlierPass() {
            cache.record(conn, reader, new Verdict(List.of()));
            cache.record(conn, reader, new Verdict(List.of("role app_ro has the attribute SUPERUSER")));
            assertThat(cache.needsAudit(conn, reader)).isTrue();
        }

        @Test
        void anotherUserOrConnectionIsAuditedOnItsOwn() {
            cache.record(conn, reader, new Verdict(List.of()));
            Credentials other = new Credentials("app_other", "/s", null, null, null, null, null);
            assertThat(cache.needsAudit(conn, other)).isTrue();
        }

        @Test
        void aZeroIntervalAuditsEverySession() {
            ReadRoleAuditCache every = new ReadRoleAuditCache(Duration.ZERO, now::get);
            every.record(conn, reader, new Verdict(List.of()));
            assertThat(every.needsAudit(conn, reader)).isTrue();
        }
    }
}
