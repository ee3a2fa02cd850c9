package dev.portcullis.proxy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Stands in for policy-service in the proxy's own tests (integration-tests use the real one). Same
 * API: {@code POST /v1/data/portcullis/decision}; requires a bearer token. Rules: a statement holding
 * {@link #DENY_MARKER} denied; DROP denied;
 * DELETE/UPDATE without WHERE held for review; reads of {@code customers} masked (email column
 * redacted, card numbers by detector last4, note column hashed); everything else allowed. SSH
 * connections: see {@link #decideSsh}.
 */
public final class FakePolicyServer implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    public final List<JsonObject> inputs = new CopyOnWriteArrayList<>();
    public final List<String> authorizations = new CopyOnWriteArrayList<>();
    /** The {@code traceparent} each decision request came with, by the session id in its input. */
    public final Map<String, List<String>> traceparents = new ConcurrentHashMap<>();

    /** A statement whose text holds this (in a comment, say) is denied: proves what a decision was made on. */
    public static final String DENY_MARKER = "deny-me";

    public final AtomicBoolean down = new AtomicBoolean();
    /** Decisions without mask lists (the benchmark's "no masking" runs). */
    public final AtomicBoolean maskNothing = new AtomicBoolean();
    /**
     * The policy revision every answer carries as {@code provenance.revision}, as policy-service does when asked
     * with {@code ?provenance=true}; the answers say {@code cache.scope: exact}, since these rules read text,
     * commands and paths.
     */
    public final java.util.concurrent.atomic.AtomicReference<String> revision =
            new java.util.concurrent.atomic.AtomicReference<>("fake-1");
    /** PostgreSQL: every request allowed, nothing masked — the policy decision forced to allow. */
    public final AtomicBoolean allowAll = new AtomicBoolean();
    /** PostgreSQL: under {@code read} access a statement that is not {@code read_only} is denied, as in the default pack. */
    public final AtomicBoolean readOnlyRule = new AtomicBoolean();
    /** PostgreSQL: a statement whose text holds one of these is denied (a policy change, with a new revision). */
    public final java.util.Set<String> denyTexts = ConcurrentHashMap.newKeySet();
    /** The one destination port whose SSH forwarding policy allows (-1: none). */
    public static volatile int allowedForwardPort = -1;

    private FakePolicyServer() throws Exception {
        server = vertx.createHttpServer()
                .requestHandler(req -> req.body().onSuccess(body -> {
                    if (down.get()) {
                        req.response().setStatusCode(503).end();
                        return;
                    }
                    String auth = req.getHeader("Authorization");
                    if (auth == null || !auth.startsWith("Bearer ey")) {
                        req.response().setStatusCode(401).end();
                        return;
                    }
                    authorizations.add(auth);
                    if (!"/v1/data/portcullis/decision".equals(req.path())) {
                        req.response().setStatusCode(404).end();
                        return;
                    }
                    JsonObject input = body.toJsonObject().getJsonObject("input");
                    inputs.add(input);
                    JsonObject session = input.getJsonObject("session");
                    if (session != null && session.getString("id") != null) {
                        traceparents
                                .computeIfAbsent(session.getString("id"), k -> new CopyOnWriteArrayList<>())
                                .add(String.valueOf(req.getHeader("traceparent")));
                    }
                    JsonObject result = decide(input);
                    if ("postgres".equals(input.getJsonObject("connection").getString("type"))) {
                        result = overridePostgres(input, result);
                    }
                    if (maskNothing.get()) {
                        result.put("mask", new JsonArray());
                    }
                    result.put("cache", new JsonObject().put("scope", "exact"));
                    req.response()
                            .putHeader("Content-Type", "application/json")
                            .end(new JsonObject()
                                    .put("result", result)
                                    .put("decision_id", "d-" + inputs.size())
                                    .put("provenance", new JsonObject().put("revision", revision.get()))
                                    .encode());
                }))
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    public static FakePolicyServer start() {
        try {
            return new FakePolicyServer();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    static JsonObject decide(JsonObject input) {
        String connectionType = input.getJsonObject("connection").getString("type");
        if ("ssh".equals(connectionType)) {
            return decideSsh(input.getJsonObject("request"));
        }
        if ("kubernetes".equals(connectionType) || "http".equals(connectionType)) {
            return decideHttp(input.getJsonObject("request"));
        }
        JsonArray statements = input.getJsonObject("request").getJsonArray("statements");
        JsonArray mask = new JsonArray();
        String action = "allow";
        JsonArray reasons = new JsonArray();
        JsonArray rules = new JsonArray();
        for (int i = 0; i < statements.size(); i++) {
            JsonObject s = statements.getJsonObject(i);
            String type = s.getString("type");
            String text = s.getString("text", "").toLowerCase(Locale.ROOT);
            boolean pgbenchTables = text.contains("pgbench_")
                    && s.getJsonArray("tables").stream()
                            .allMatch(t -> t.toString().startsWith("pgbench_"));
            if (text.contains(DENY_MARKER)) {
                action = "deny";
                reasons.add("rule test-deny-marker: this statement carries the test's deny marker");
                rules.add("test-deny-marker");
            } else if (("DROP".equals(type) || "UNKNOWN".equals(type) && text.startsWith("drop")) && !pgbenchTables) {
                action = "deny";
                reasons.add("rule drop-forbidden: DROP is never allowed on prod");
                rules.add("drop-forbidden");
            } else if (("DELETE".equals(type) || "UPDATE".equals(type))
                    && !s.getBoolean("has_where")
                    && !"deny".equals(action)) {
                action = "review";
                reasons.add("rule bulk-change-review: " + type + " without WHERE needs approval");
                rules.add("bulk-change-review");
            }
            if (s.getJsonArray("tables").contains("customers")) {
                mask.add(new JsonObject().put("column", "email").put("strategy", "redact"));
                mask.add(new JsonObject().put("detector", "credit_card").put("strategy", "last4"));
                mask.add(new JsonObject().put("column", "note").put("strategy", "hash"));
            }
        }
        return new JsonObject()
                .put("action", action)
                .put("reasons", reasons)
                .put("rules", rules)
                .put("mask", mask)
                .put("record", true);
    }

    private JsonObject overridePostgres(JsonObject input, JsonObject result) {
        if (allowAll.get()) {
            return new JsonObject()
                    .put("action", "allow")
                    .put("reasons", new JsonArray())
                    .put("rules", new JsonArray())
                    .put("mask", new JsonArray())
                    .put("record", true);
        }
        boolean read = "read".equals(input.getJsonObject("identity").getString("access"));
        for (Object o : input.getJsonObject("request").getJsonArray("statements")) {
            JsonObject st = (JsonObject) o;
            String text = st.getString("text", "");
            boolean denied = denyTexts.stream().anyMatch(text::contains);
            if (denied || (readOnlyRule.get() && read && !st.getBoolean("read_only", false))) {
                String rule = denied ? "test-deny-text" : "read-only";
                return result.put("action", "deny")
                        .put("reasons", new JsonArray().add("rule " + rule + ": not allowed"))
                        .put("rules", new JsonArray().add(rule));
            }
        }
        return result;
    }

    /**
     * SSH: a command carrying the comment {@code # forbidden} is denied, one carrying {@code # review}
     * is held; card numbers in any output are masked (last4). The sftp subsystem is allowed
     * without masks; port forwarding is denied except to {@link #allowedForwardPort}.
     */
    static JsonObject decideSsh(JsonObject request) {
        String command = request.getString("command", "");
        String kind = request.getString("kind", "");
        if (kind.equals("sftp")) {
            // allowed without masking: the proxy refuses SFTP that policy wants masked
            return new JsonObject()
                    .put("action", "allow")
                    .put("reasons", new JsonArray())
                    .put("rules", new JsonArray())
                    .put("mask", new JsonArray())
                    .put("record", true);
        }
        if (kind.equals("port_forward") || kind.equals("remote_forward")) {
            if (request.getInteger("port", -2) == allowedForwardPort) {
                return new JsonObject()
                        .put("action", "allow")
                        .put("reasons", new JsonArray())
                        .put("rules", new JsonArray())
                        .put("mask", new JsonArray())
                        .put("record", true);
            }
            return new JsonObject()
                    .put("action", "deny")
                    .put(
                            "reasons",
                            new JsonArray()
                                    .add("rule ssh-port-forwarding-forbidden: SSH port forwarding is never allowed"))
                    .put("rules", new JsonArray().add("ssh-port-forwarding-forbidden"))
                    .put("mask", new JsonArray())
                    .put("record", true);
        }
        String action = "allow";
        JsonArray reasons = new JsonArray();
        JsonArray rules = new JsonArray();
        if (command.contains("# forbidden")) {
            action = "deny";
            reasons.add("rule ssh-forbidden: this command is not allowed");
            rules.add("ssh-forbidden");
        } else if (command.contains("# review")) {
            action = "review";
            reasons.add("rule ssh-review: this command needs approval");
            rules.add("ssh-review");
        }
        JsonArray mask = new JsonArray()
                .add(new JsonObject().put("detector", "credit_card").put("strategy", "last4"));
        return new JsonObject()
                .put("action", action)
                .put("reasons", reasons)
                .put("rules", rules)
                .put("mask", mask)
                .put("record", true);
    }

    /**
     * Kubernetes and HTTP, modelled on the default pack: deleting a namespace is denied; deleting a
     * ConfigMap is held for review; HTTP paths under {@code /admin} are denied; card numbers
     * (last4) and e-mail addresses (redact) are masked in every response.
     */
    static JsonObject decideHttp(JsonObject request) {
        String action = "allow";
        JsonArray reasons = new JsonArray();
        JsonArray rules = new JsonArray();
        String verb = request.getString("verb", "");
        String resource = request.getString("resource", "");
        if (resource.equals("namespaces") && (verb.equals("delete") || verb.equals("deletecollection"))) {
            action = "deny";
            reasons.add("rule k8s-namespace-delete-forbidden: deleting namespaces is never allowed");
            rules.add("k8s-namespace-delete-forbidden");
        } else if (resource.equals("configmaps") && verb.equals("delete")) {
            action = "review";
            reasons.add("rule k8s-configmap-delete-review: deleting a ConfigMap needs approval");
            rules.add("k8s-configmap-delete-review");
        } else if ("http".equals(request.getString("protocol"))
                && request.getString("path", "").startsWith("/admin")) {
            action = "deny";
            reasons.add("rule web-admin-forbidden: the admin pages are off limits");
            rules.add("web-admin-forbidden");
        }
        JsonArray mask = new JsonArray()
                .add(new JsonObject().put("detector", "credit_card").put("strategy", "last4"))
                .add(new JsonObject().put("detector", "email").put("strategy", "redact"));
        return new JsonObject()
                .put("action", action)
                .put("reasons", reasons)
                .put("rules", rules)
                .put("mask", mask)
                .put("record", true);
    }

    @Override
    public void close() {
        vertx.close();
    }
}
