package dev.portcullis.policy.engine;

import static dev.portcullis.policy.engine.TestInputs.k8s;
import static dev.portcullis.policy.engine.TestInputs.sql;
import static dev.portcullis.policy.engine.TestInputs.ssh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.contracts.detect.Detector;
import dev.portcullis.policy.model.Action;
import dev.portcullis.policy.model.Decision;
import dev.portcullis.policy.model.MaskDirective;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each rule of the default pack, on what it must refuse and on what it must let through. */
class DefaultPackTest {

    static PolicySet pack;
    static final PolicyEngine ENGINE = new PolicyEngine(Action.DENY);

    @BeforeAll
    static void compilePack() {
        List<CompiledPolicy> compiled = new ArrayList<>();
        for (Map.Entry<String, String> e : DefaultPack.sources().entrySet()) {
            compiled.add(PolicyCompiler.compile(e.getKey(), e.getValue(), 1));
        }
        pack = PolicySet.of(compiled);
    }

    static Decision decide(ObjectNode input) {
        return ENGINE.evaluate(pack, TestInputs.normalize(input), false).decision();
    }

    static void assertAction(Action expected, String rule, Decision d) {
        assertEquals(expected, d.action(), () -> "decision " + d);
        if (rule != null) {
            assertTrue(d.rules().contains(rule), () -> "expected rule " + rule + " in " + d);
        }
    }

    @Test
    void everyDocumentOfThePackCompiles() {
        assertEquals(DefaultPack.IDS.size(), pack.policies().size());
    }

    /** Adds session-proxy's analysis of the command line, saying whether it is read-only (and nothing else yet). */
    static ObjectNode analysed(ObjectNode in, boolean readOnly) {
        ObjectNode shell = ((ObjectNode) in.get("request")).putObject("shell");
        shell.put("parsed", true).put("read_only", readOnly);
        shell.putArray("programs");
        shell.putArray("commands");
        shell.putArray("operators");
        shell.putArray("not_read_only");
        return in;
    }

    /** Adds one command to the analysis: its path as written (the program is its basename) and arguments. */
    static ObjectNode withCommand(ObjectNode in, String path, String... args) {
        ObjectNode shell = (ObjectNode) in.path("request").path("shell");
        String program = path.substring(path.lastIndexOf('/') + 1);
        ((com.fasterxml.jackson.databind.node.ArrayNode) shell.get("programs")).add(program);
        ObjectNode c = ((com.fasterxml.jackson.databind.node.ArrayNode) shell.get("commands")).addObject();
        c.put("program", program).put("path", path).put("literal", true).put("via", "");
        var a = c.putArray("args");
        for (String arg : args) {
            a.add(arg);
        }
        c.putArray("redirects");
        return in;
    }

    /** The request with the token's scopes for its own connection ({@code <env>-<protocol>}). */
    static ObjectNode granted(ObjectNode in, String... access) {
        String connection = in.path("connection").path("name").asText();
        var scopes = ((ObjectNode) in.get("identity")).putArray("scopes");
        for (String a : access) {
            scopes.add("conn:" + connection + ":" + a);
        }
        return in;
    }

    @Nested
    class Postgres {

        @ParameterizedTest
        @ValueSource(strings = {"DROP", "TRUNCATE"})
        void dropAndTruncateAreDeniedOnProd(String type) {
            assertAction(
                    Action.DENY, "pg-drop-forbidden", decide(sql("prod", type + " TABLE orders", type + ":orders")));
        }

        /** The one-statement SQL request with its statement text and the token's scopes for dev-postgres. */
        ObjectNode withScopes(ObjectNode in, String... access) {
            ObjectNode req = (ObjectNode) in.get("request");
            ((ObjectNode) req.get("statements").get(0))
                    .put("text", req.get("text").asText());
            var scopes = ((ObjectNode) in.get("identity")).putArray("scopes");
            for (String a : access) {
                scopes.add("conn:dev-postgres:" + a);
            }
            return in;
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "INSERT INTO orders VALUES (1):INSERT:orders",
                    "DELETE FROM orders WHERE id = 1:DELETE:orders",
                    "UPDATE orders SET n = 1 WHERE id = 1:UPDATE:orders",
                    "CREATE TABLE t (a int):CREATE:t",
                    "CALL purge():CALL:",
                    "COPY orders FROM STDIN:COPY:orders",
                    "WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone:WITH:orders"
                })
        void aReadOnlyTokenCannotWriteOnAnyConnection(String spec) {
            String[] p = spec.split(":", 2);
            assertAction(
                    Action.DENY, "pg-read-access-is-read-only", decide(withScopes(sql("dev", p[0], p[1]), "read")));
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "SELECT * FROM orders:SELECT:orders:ro",
                    "COPY orders TO STDOUT:COPY:orders:ro",
                    "COPY (SELECT a FROM orders) TO STDOUT:COPY:orders:ro",
                    "SHOW search_path:SHOW::ro",
                    "BEGIN:BEGIN::ro",
                    "SELECT now(), random():SELECT::ro:call=now:call=random"
                })
        void aReadOnlyTokenReads(String spec) {
            String[] p = spec.split(":", 2);
            Decision d = decide(withScopes(sql("dev", p[0], p[1]), "read"));
            assertEquals(Action.ALLOW, d.action(), () -> "decision " + d);
        }

        /** Whatever its type says, a statement session-proxy did not prove read-only is refused to a read token. */
        @ParameterizedTest
        @ValueSource(
                strings = {
                    "SELECT setval('s', 1):SELECT::call=setval",
                    "SELECT * FROM orders FOR UPDATE:SELECT:orders",
                    "SELECT * INTO copy FROM orders:SELECT:orders",
                    "SELECT a COLLATE \"C\" FROM orders:SELECT::unparseable",
                    "FROBNICATE orders:UNKNOWN::unparseable",
                    "EXPLAIN ANALYZE DELETE FROM orders:EXPLAIN:orders",
                    "SET ROLE postgres:SET::set=role"
                })
        void aReadOnlyTokenRunsOnlyWhatIsProvedReadOnly(String spec) {
            String[] p = spec.split(":", 2);
            assertAction(
                    Action.DENY, "pg-read-access-is-read-only", decide(withScopes(sql("dev", p[0], p[1]), "read")));
        }

        @Test
        void aStatementThatDoesNotSayItIsReadOnlyIsNot() {
            ObjectNode in = withScopes(sql("dev", "SELECT 1", "SELECT::ro"), "read");
            ((ObjectNode) in.get("request").get("statements").get(0)).remove("read_only");
            assertAction(Action.DENY, "pg-read-access-is-read-only", decide(in));
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "client_encoding",
                    "standard_conforming_strings",
                    "backslash_quote",
                    "escape_string_warning",
                    "role",
                    "session_authorization",
                    "transaction_read_only",
                    "default_transaction_read_only",
                    "all",
                    "*"
                })
        void protectedSettingsAreNeverChangedEvenWithAWriteGrant(String setting) {
            for (String env : List.of("dev", "prod")) {
                ObjectNode in = granted(sql(env, "SET " + setting + " …", "SET::set=" + setting), "write", "admin");
                assertAction(Action.DENY, "pg-protected-settings-forbidden", decide(in));
            }
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "statement_timeout",
                    "lock_timeout",
                    "idle_in_transaction_session_timeout",
                    "transaction_timeout",
                    "idle_session_timeout"
                })
        void sessionLimitsAreNeverChangedInASession(String setting) {
            for (String env : List.of("dev", "prod")) {
                for (String access : List.of("read", "write")) {
                    ObjectNode in = granted(sql(env, "SET " + setting + " = 0", "SET::ro:set=" + setting), access);
                    assertAction(Action.DENY, "pg-session-limits-fixed", decide(in));
                }
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"transaction_isolation", "search_path", "timezone", "work_mem"})
        void otherSettingsMayBeChanged(String setting) {
            Decision d = decide(granted(sql("prod", "SET " + setting + " …", "SET::ro:set=" + setting), "read"));
            assertEquals(Action.ALLOW, d.action(), () -> "decision " + d);
        }

        @ParameterizedTest
        @ValueSource(strings = {"email", "customer_email", "PHONE", "card_no", "password_hash", "api_token"})
        void predicatesOnMaskedColumnsAreReviewedOnProd(String column) {
            ObjectNode in =
                    sql("prod", "SELECT id FROM customers WHERE … LIKE 'a%'", "SELECT:customers:ro:pred=" + column);
            assertAction(Action.REVIEW, "pg-masked-column-predicate-review", decide(in));
            Decision dev = decide(sql("dev", "SELECT id FROM customers WHERE …", "SELECT:customers:ro:pred=" + column));
            assertEquals(Action.ALLOW, dev.action(), "only prod reviews predicates on masked columns");
        }

        @Test
        void predicatesOnOtherColumnsAreNotReviewed() {
            Decision d = decide(sql("prod", "SELECT email FROM customers WHERE id = 1", "SELECT:customers:ro:pred=id"));
            assertEquals(Action.ALLOW, d.action(), () -> "decision " + d);
        }

        /** DROP of several tables or a database, and TRUNCATE … CASCADE: JSqlParser reads none, their type stays. */
        @ParameterizedTest
        @ValueSource(
                strings = {
                    "DROP TABLE a, b:DROP:a:unparseable",
                    "DROP DATABASE app:DROP:app:unparseable",
                    "TRUNCATE a, b CASCADE:TRUNCATE:a"
                })
        void unparsedDropsAndTruncatesStayDeniedOnProd(String spec) {
            String[] p = spec.split(":", 2);
            assertAction(Action.DENY, "pg-drop-forbidden", decide(granted(sql("prod", p[0], p[1]), "write")));
        }

        @ParameterizedTest
        @ValueSource(strings = {"UNKNOWN::unparseable", "SELECT:orders:unparseable", "INSERT:orders:unparseable"})
        void whatTheProxyCouldNotParseIsReviewedUnderWriteOnProd(String statement) {
            assertAction(
                    Action.REVIEW,
                    "pg-unrecognised-statement-review",
                    decide(granted(sql("prod", "…", statement), "write")));
        }

        @Test
        void aWriteGrantBesideTheReadGrantMayWrite() {
            Decision d =
                    decide(withScopes(sql("dev", "DELETE FROM orders WHERE id = 1", "DELETE:orders"), "read", "write"));
            assertEquals(Action.ALLOW, d.action(), () -> "decision " + d);
        }

        @Test
        void dropIsNotDeniedOutsideProd() {
            Decision d = decide(sql("dev", "DROP TABLE orders", "DROP:orders"));
            assertEquals(Action.ALLOW, d.action());
            assertFalse(d.rules().contains("pg-drop-forbidden"));
        }

        @Test
        void alterDropIsDeniedOnProd() {
            assertAction(
                    Action.DENY,
                    "pg-alter-drop-forbidden",
                    decide(sql(
                            "prod", "ALTER TABLE orders DROP COLUMN note", "ALTER:orders:nro=ALTER:nro=keyword DROP")));
        }

        @Test
        void alterAddIsNotDeniedButReviewedAsDdl() {
            Decision d = decide(
                    sql("prod", "ALTER TABLE orders ADD COLUMN dropped_at timestamptz", "ALTER:orders:nro=ALTER"));
            assertAction(Action.REVIEW, "pg-ddl-review", d);
            assertFalse(d.rules().contains("pg-alter-drop-forbidden"), "a column named dropped_at is not DROP");
        }

        @ParameterizedTest
        @ValueSource(strings = {"DELETE", "UPDATE"})
        void unboundedWritesAreReviewedOnProd(String type) {
            assertAction(
                    Action.REVIEW,
                    "pg-unbounded-write-review",
                    decide(sql("prod", type + " orders", type + ":orders:nowhere")));
        }

        @ParameterizedTest
        @ValueSource(strings = {"DELETE", "UPDATE"})
        void boundedWritesAreAllowedOnProd(String type) {
            assertAction(Action.ALLOW, null, decide(sql("prod", type + " orders WHERE id = 1", type + ":orders")));
        }

        @Test
        void aStatementThatDoesNotSayItHasAWhereIsTreatedAsUnbounded() {
            ObjectNode in = sql("prod", "DELETE FROM orders", "DELETE:orders");
            ((ObjectNode) in.get("request").get("statements").get(0)).remove("has_where");
            assertAction(Action.REVIEW, "pg-unbounded-write-review", decide(in));
        }

        @ParameterizedTest
        @ValueSource(strings = {"CREATE", "GRANT", "REVOKE", "COMMENT"})
        void ddlIsReviewedOnProd(String type) {
            assertAction(Action.REVIEW, "pg-ddl-review", decide(sql("prod", type + " …", type)));
        }

        @Test
        void selectIsAllowedOnProd() {
            Decision d = decide(sql("prod", "SELECT * FROM orders", "SELECT:orders"));
            assertEquals(Action.ALLOW, d.action());
            assertEquals(List.of(), d.rules());
        }

        @Test
        void unrecognisedStatementTypeIsReviewedOnProd() {
            assertAction(
                    Action.REVIEW,
                    "pg-unrecognised-statement-review",
                    decide(sql("prod", "FROBNICATE x", "FROBNICATE")));
        }

        @Test
        void textWithoutParsedStatementsIsReviewedOnProd() {
            assertAction(Action.REVIEW, "pg-unrecognised-statement-review", decide(sql("prod", "SELEC oops")));
        }

        @Test
        void aRequestWithoutStatementsIsReviewedOnProd() {
            // session-proxy answers empty or comment-only text itself and never asks; a request without
            // statements is one it could not cut, so it is decided as unrecognised (fail closed)
            assertAction(Action.REVIEW, "pg-unrecognised-statement-review", decide(sql("prod", "-- ?")));
        }

        @Test
        void denyOverridesReviewInOneRequest() {
            Decision d = decide(sql("prod", "DELETE FROM a; DROP TABLE b", "DELETE:a:nowhere", "DROP:b"));
            assertEquals(Action.DENY, d.action());
            assertEquals(List.of("pg-drop-forbidden"), d.rules(), "only the winning effect's rules are listed");
        }
    }

    @Nested
    class Ssh {

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "rm -rf /",
                    "rm -fr /*",
                    "sudo rm -rf / ",
                    "rm -r -f /",
                    "rm --recursive --force /",
                    "cd /tmp && rm -rf ~",
                    "rm -rf --no-preserve-root /",
                    "echo hi; rm -Rf $HOME"
                })
        void rmOfRootOrHomeIsDenied(String command) {
            assertAction(Action.DENY, "ssh-rm-root-forbidden", decide(ssh("dev", "exec", command)));
        }

        @ParameterizedTest
        @ValueSource(
                strings = {"rm -rf /tmp/build", "rm /etc/motd.bak", "rm -f ./out", "ls -la /", "grep -r foo /var/log"})
        void ordinaryRemovalsAndCommandsAreNotDenied(String command) {
            Decision d = decide(ssh("dev", "exec", command));
            assertFalse(d.rules().contains("ssh-rm-root-forbidden"), () -> command + " -> " + d);
            assertEquals(Action.ALLOW, d.action());
        }

        @ParameterizedTest
        @ValueSource(strings = {"mkfs.ext4 /dev/sdb1", "dd if=/dev/zero of=/dev/sda bs=1M", "cat x > /dev/nvme0n1"})
        void diskWipesAreDenied(String command) {
            assertAction(Action.DENY, "ssh-disk-wipe-forbidden", decide(ssh("dev", "exec", command)));
        }

        @Test
        void ddToAFileIsNotADiskWipe() {
            assertAction(Action.ALLOW, null, decide(ssh("dev", "exec", "dd if=/dev/zero of=/tmp/blob bs=1M count=1")));
        }

        @ParameterizedTest
        @ValueSource(strings = {"sudo systemctl restart app", "su - postgres", "cd /srv && sudo ls"})
        void sudoIsReviewed(String command) {
            assertAction(Action.REVIEW, "ssh-sudo-review", decide(ssh("dev", "exec", command)));
        }

        @ParameterizedTest
        @ValueSource(strings = {"systemctl status app", "cat /etc/sudoers.d/README", "echo pseudo"})
        void commandsMerelyMentioningSudoAreNotReviewed(String command) {
            assertAction(Action.ALLOW, null, decide(ssh("dev", "exec", command)));
        }

        @ParameterizedTest
        @ValueSource(strings = {"port_forward", "remote_forward", "direct-tcpip", "tcpip-forward"})
        void portForwardingIsDenied(String kind) {
            assertAction(Action.DENY, "ssh-port-forwarding-forbidden", decide(ssh("dev", kind, null)));
        }

        @Test
        void anInteractiveShellIsAllowed() {
            assertAction(Action.ALLOW, null, decide(ssh("prod", "shell", null)));
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "cat /etc/hostname",
                    "ls -la /var/log",
                    "grep -i error /var/log/app.log | tail -n 20",
                    "ps aux | grep java",
                    "df -h",
                    "find /srv -name '*.log' -mtime +7",
                    "grep 'a|b' notes.txt",
                    "grep \"x y\" notes.txt",
                    "sort -u names | head",
                    "wc -l a b",
                    "uptime"
                })
        void aReadOnlyTokenRunsReadOnlyPipelines(String command) {
            Decision d = decide(granted(analysed(ssh("dev", "exec", command), true), "read"));
            assertEquals(Action.ALLOW, d.action(), () -> command + " -> " + d);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "rm -f /tmp/x",
                    "cat a > b",
                    "echo x >> f",
                    "cat a; rm b",
                    "cat a && rm b",
                    "cat a &",
                    "cat $(rm x)",
                    "cat `rm x`",
                    "grep \"$(id)\" f",
                    "ls | xargs rm",
                    "cat a | sh",
                    "find / -delete",
                    "find . -name x -exec rm {} ;",
                    "find . '-delete'",
                    "sort -o out in",
                    "sort --output=x in",
                    "sort \"-o\" x y",
                    "sed -i s/a/b/ f",
                    "/bin/rm x",
                    "catx a",
                    "cat a\nrm b",
                    "tee f",
                    "bash -c 'cat a'",
                    "FOO=1 cat a",
                    "vi f",
                    "",
                    "sudo cat /etc/shadow"
                })
        void aReadOnlyTokenCannotRunAnythingElse(String command) {
            // session-proxy's analysis says not read-only (its allow-list is tested there: CommandAnalysisTest)
            assertAction(
                    Action.DENY,
                    "ssh-read-access-is-read-only",
                    decide(granted(analysed(ssh("dev", "exec", command), false), "read")));
            // and an input without the analysis is refused too (fail closed)
            assertAction(
                    Action.DENY, "ssh-read-access-is-read-only", decide(granted(ssh("dev", "exec", command), "read")));
        }

        @Test
        void rmOfRootIsDeniedByTheProgramsBasenameAfterParsing() {
            // session-proxy's analysis of each line (CommandAnalysisTest): the words after quote removal
            for (String[] c : List.of(
                    new String[] {"/bin/rm -rf /*", "/bin/rm", "-rf", "/*"},
                    new String[] {"rm -rf '/'*", "rm", "-rf", "/*"},
                    new String[] {"\\rm -fr ~", "rm", "-fr", "~"},
                    new String[] {"sudo /bin/rm -r \"$HOME\"/", "/bin/rm", "-r", "$HOME/"})) {
                ObjectNode in = withCommand(
                        analysed(ssh("dev", "exec", c[0]), false), c[1], java.util.Arrays.copyOfRange(c, 2, c.length));
                assertAction(Action.DENY, "ssh-rm-root-forbidden", decide(in));
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"--recursive", "--recur", "--rec", "-R", "-fR", "-vrf"})
        void everyRecursiveSpellingCounts(String flag) {
            ObjectNode in = withCommand(analysed(ssh("dev", "exec", "x"), false), "/usr/bin/rm", flag, "--", "/");
            assertAction(Action.DENY, "ssh-rm-root-forbidden", decide(in));
        }

        @ParameterizedTest
        @ValueSource(strings = {"/tmp/build", "./out", "/srv/releases/*", "~/tmp"})
        void rmOfOtherPathsIsNotDenied(String target) {
            ObjectNode in = withCommand(analysed(ssh("dev", "exec", "x"), false), "/bin/rm", "-rf", target);
            assertEquals(Action.ALLOW, decide(in).action());
        }

        @Test
        void sudoByAnyPathIsReviewed() {
            ObjectNode in = withCommand(analysed(ssh("dev", "exec", "/usr/bin/sudo ls"), false), "/usr/bin/sudo", "ls");
            assertAction(Action.REVIEW, "ssh-sudo-review", decide(in));
        }

        @Test
        void mkfsByAnyPathIsDenied() {
            ObjectNode in = withCommand(
                    analysed(ssh("dev", "exec", "/sbin/mkfs.ext4 /dev/sda1"), false), "/sbin/mkfs.ext4", "/dev/sda1");
            assertAction(Action.DENY, "ssh-disk-wipe-forbidden", decide(in));
        }

        @Test
        void anUnparsedCommandLineIsRefusedUnderEveryGrant() {
            ObjectNode in = analysed(ssh("dev", "exec", "cat 'x"), false);
            ((ObjectNode) in.path("request").path("shell"))
                    .put("parsed", false)
                    .put("error", "unterminated single quote");
            assertAction(Action.DENY, "ssh-unparsed-command-refused", decide(granted(in, "write")));
        }

        @Test
        void aReadOnlyTokenGetsNoInteractiveShell() {
            assertAction(
                    Action.DENY, "ssh-read-access-is-read-only", decide(granted(ssh("dev", "shell", null), "read")));
        }

        @Test
        void aWriteGrantBesideTheReadGrantRunsOtherCommands() {
            Decision d = decide(granted(ssh("dev", "exec", "rm -f /tmp/x"), "read", "write"));
            assertEquals(Action.ALLOW, d.action(), () -> "decision " + d);
            assertEquals(
                    Action.ALLOW,
                    decide(granted(ssh("dev", "shell", null), "write")).action());
        }
    }

    @Nested
    class Kubernetes {

        @ParameterizedTest
        @ValueSource(strings = {"delete", "deletecollection"})
        void deletingNamespacesIsDeniedEverywhere(String verb) {
            assertAction(Action.DENY, "k8s-namespace-delete-forbidden", decide(k8s("dev", verb, "namespaces", null)));
        }

        @Test
        void deletingAPodIsAllowed() {
            assertAction(Action.ALLOW, null, decide(k8s("prod", "delete", "pods", null)));
        }

        @Test
        void listingNamespacesIsAllowed() {
            assertAction(Action.ALLOW, null, decide(k8s("prod", "list", "namespaces", null)));
        }

        @ParameterizedTest
        @ValueSource(strings = {"exec", "attach"})
        void execIntoPodsIsReviewedOnProd(String sub) {
            assertAction(Action.REVIEW, "k8s-exec-review", decide(k8s("prod", "create", "pods", sub)));
        }

        @Test
        void execIntoPodsIsAllowedOutsideProd() {
            assertAction(Action.ALLOW, null, decide(k8s("staging", "create", "pods", "exec")));
        }

        @ParameterizedTest
        @ValueSource(strings = {"get", "list", "watch"})
        void readingSecretsIsReviewedOnProd(String verb) {
            assertAction(Action.REVIEW, "k8s-secrets-read-review", decide(k8s("prod", verb, "secrets", null)));
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "delete:pods",
                    "deletecollection:pods",
                    "create:deployments",
                    "update:configmaps",
                    "patch:pods",
                    "proxy:services"
                })
        void aReadOnlyTokenCannotChangeAnything(String spec) {
            String[] p = spec.split(":");
            assertAction(
                    Action.DENY, "k8s-read-access-is-read-only", decide(granted(k8s("dev", p[0], p[1], null), "read")));
        }

        @ParameterizedTest
        @ValueSource(strings = {"exec", "attach", "portforward"})
        void aReadOnlyTokenCannotExecAttachOrForwardEvenByGet(String sub) {
            ObjectNode in = granted(k8s("dev", "get", "pods", sub), "read");
            ((ObjectNode) in.get("request")).put("kind", "upgrade");
            assertAction(Action.DENY, "k8s-read-access-is-read-only", decide(in));
        }

        @ParameterizedTest
        @ValueSource(strings = {"get:pods", "list:pods", "watch:configmaps", "get:secrets"})
        void aReadOnlyTokenReads(String spec) {
            String[] p = spec.split(":");
            Decision d = decide(granted(k8s("dev", p[0], p[1], null), "read"));
            assertEquals(Action.ALLOW, d.action(), () -> "decision " + d);
        }

        @Test
        void aReadOnlyTokenIsStillReviewedNotAllowedForSecretsOnProd() {
            assertAction(
                    Action.REVIEW,
                    "k8s-secrets-read-review",
                    decide(granted(k8s("prod", "get", "secrets", null), "read")));
        }

        @Test
        void aWriteGrantBesideTheReadGrantMayDelete() {
            Decision d = decide(granted(k8s("prod", "delete", "pods", null), "read", "write"));
            assertEquals(Action.ALLOW, d.action(), () -> "decision " + d);
        }

        @ParameterizedTest
        @ValueSource(strings = {"patch", "update", "create"})
        void addingAnEphemeralContainerIsReviewedOnProd(String verb) {
            assertAction(
                    Action.REVIEW,
                    "k8s-ephemeral-container-review",
                    decide(k8s("prod", verb, "pods", "ephemeralcontainers")));
        }

        @Test
        void ephemeralContainersAreReadAndAddedFreelyOutsideProd() {
            assertAction(Action.ALLOW, null, decide(k8s("prod", "get", "pods", "ephemeralcontainers")));
            assertAction(Action.ALLOW, null, decide(k8s("staging", "patch", "pods", "ephemeralcontainers")));
        }

        @Test
        void aServiceAccountTokenRequestIsReviewedOnProdOnly() {
            assertAction(
                    Action.REVIEW,
                    "k8s-serviceaccount-token-review",
                    decide(k8s("prod", "create", "serviceaccounts", "token")));
            assertAction(Action.ALLOW, null, decide(k8s("dev", "create", "serviceaccounts", "token")));
            assertAction(Action.ALLOW, null, decide(k8s("prod", "get", "serviceaccounts", null)));
        }

        @ParameterizedTest
        @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND", "get"})
        void aReadOnlyTokenOnAPlainHttpConnectionCannotWrite(String method) {
            assertAction(Action.DENY, "http-read-access-is-read-only", decide(granted(http("dev", method), "read")));
        }

        @ParameterizedTest
        @ValueSource(strings = {"GET", "HEAD"})
        void aReadOnlyTokenOnAPlainHttpConnectionReads(String method) {
            Decision d = decide(granted(http("dev", method), "read"));
            assertEquals(Action.ALLOW, d.action(), () -> "decision " + d);
        }

        @Test
        void aReadOnlyTokenOnAPlainHttpConnectionCannotUpgrade() {
            ObjectNode in = granted(http("dev", "GET"), "read");
            ((ObjectNode) in.get("request")).put("kind", "upgrade");
            assertAction(Action.DENY, "http-read-access-is-read-only", decide(in));
        }

        @Test
        void aWriteGrantOnAPlainHttpConnectionMayPost() {
            Decision d = decide(granted(http("dev", "POST"), "read", "write"));
            assertEquals(Action.ALLOW, d.action(), () -> "decision " + d);
        }

        /** A plain HTTP request as session-proxy shapes it: verb is the lower-case method. */
        private static ObjectNode http(String env, String method) {
            ObjectNode in = TestInputs.base(env, "http", "web-bot");
            ((ObjectNode) in.get("request"))
                    .put("kind", "request")
                    .put("method", method)
                    .put("path", "/orders/7")
                    .put("verb", method.toLowerCase(java.util.Locale.ROOT))
                    .put("resource", "")
                    .put("namespace", "")
                    .put("subresource", "");
            return in;
        }

        @Test
        void readingConfigMapsOnProdAndSecretsOnDevIsAllowed() {
            assertAction(Action.ALLOW, null, decide(k8s("prod", "get", "configmaps", null)));
            assertAction(Action.ALLOW, null, decide(k8s("dev", "get", "secrets", null)));
        }
    }

    @Nested
    class Masking {

        @Test
        void sensitiveColumnsAreMaskedOnPostgres() {
            Decision d = decide(sql("dev", "SELECT * FROM users", "SELECT:users"));
            for (String column : List.of("*email*", "*phone*", "*ssn*", "*password*", "*secret*", "*token*")) {
                assertTrue(d.mask().contains(new MaskDirective(column, null, "redact")), column);
            }
            assertTrue(d.mask().contains(new MaskDirective("*card*", null, "last4")));
        }

        @Test
        void columnMasksAreNotSentForSsh() {
            Decision d = decide(ssh("dev", "exec", "ls"));
            assertTrue(
                    d.mask().stream().allMatch(m -> m.column() == null),
                    () -> d.mask().toString());
        }

        @Test
        void valueDetectorsApplyToEveryProtocol() {
            for (ObjectNode in : List.of(
                    sql("dev", "SELECT 1", "SELECT"), ssh("dev", "exec", "ls"), k8s("dev", "get", "pods", null))) {
                Decision d = decide(in);
                for (String detector : Detector.ids()) {
                    assertTrue(d.mask().stream().anyMatch(m -> detector.equals(m.detector())), detector + " in " + d);
                }
            }
        }

        @Test
        void masksAccumulateEvenWhenDenied() {
            Decision d = decide(sql("prod", "DROP TABLE users", "DROP:users"));
            assertEquals(Action.DENY, d.action());
            assertEquals(11, d.mask().size());
        }
    }

    @Nested
    class TimeWindow {

        static ObjectNode backup(String time) {
            ObjectNode in = sql("prod", "SELECT * FROM orders", "SELECT:orders");
            ((ObjectNode) in.get("identity")).put("agent", "backup-nightly");
            in.put("time", time);
            return in;
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "2026-11-22T02:00:00Z",
                    "2026-11-22T03:12:00Z",
                    "2026-11-22T03:59:59Z",
                    "2026-11-22T04:30:00+01:00"
                })
        void backupAgentMayReadInsideTheWindow(String time) {
            assertAction(Action.ALLOW, null, decide(backup(time)));
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "2026-11-22T01:59:59Z",
                    "2026-11-22T04:00:00Z",
                    "2026-11-22T12:00:00Z",
                    "2026-11-22T03:30:00-01:00"
                })
        void backupAgentIsDeniedOutsideTheWindow(String time) {
            assertAction(Action.DENY, "backup-window", decide(backup(time)));
        }

        @Test
        void backupGroupMembershipAlsoCounts() {
            ObjectNode in = sql("prod", "SELECT 1", "SELECT");
            ((com.fasterxml.jackson.databind.node.ArrayNode) in.get("identity").get("groups")).add("backup");
            assertAction(Action.DENY, "backup-window", decide(in));
        }

        @Test
        void otherAgentsAreNotBoundToTheWindow() {
            assertAction(Action.ALLOW, null, decide(sql("prod", "SELECT 1", "SELECT")));
        }
    }

    @Nested
    class Defaults {

        @Test
        void restrictedConnectionsDenyWhatNoRuleAllows() {
            Decision d = decide(sql("restricted", "SELECT 1", "SELECT"));
            assertEquals(Action.DENY, d.action());
            assertTrue(
                    d.reasons().get(0).contains("env=restricted"), d.reasons().toString());
        }

        @Test
        void untaggedConnectionsAreAllowedByTheCatchAllDefault() {
            assertAction(Action.ALLOW, null, decide(sql(null, "SELECT 1", "SELECT")));
        }
    }
}
