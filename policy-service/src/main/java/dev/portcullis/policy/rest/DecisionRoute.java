package dev.portcullis.policy.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.policy.decisionlog.DecisionLogUnavailableException;
import dev.portcullis.policy.engine.InvalidInputException;
import dev.portcullis.policy.security.DecisionCallerAugmentor;
import dev.portcullis.policy.security.Roles;
import dev.portcullis.policy.security.TokenCache;
import dev.portcullis.policy.service.DecisionService;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

/**
 * {@code POST /v1/data/portcullis/decision}, the request session-proxy makes for every statement, command and API
 * call, served by a plain Vert.x route instead of {@link DataResource}: the RESTEasy chain around the resource
 * (resource matching, reader and writer lookup, security interceptors, context propagation) cost more than the
 * decision itself (policy-service/README.md, "Benchmark"). Only that exact raw path and method are served here;
 * anything else, including encoded or dotted variants of the path, goes on to {@link DataResource} unchanged.
 *
 * <p>It answers as {@link DataResource} does, through the same pieces (ADR 0033). The identity: a bearer token
 * quarkus-oidc has verified before is looked up in the verified-token cache ({@link TokenCache#verified}, what
 * {@code TokenCacheIdentityProvider} answers on the other endpoints) and the decision-caller rule
 * ({@link DecisionCallerAugmentor#isDecisionClient}) applied to that verified token; anything else (no token, another
 * header form, a token not verified before, expired or altered) goes through Quarkus's HTTP security exactly as on
 * every other endpoint (quarkus-oidc's mechanism and provider, the augmentors), then the role check of
 * {@code @RolesAllowed(Roles.DECISION_CLIENT)}. The role is checked before the body is used; the body goes through
 * {@link RequestBodies}, the answer through {@link DecisionAnswers}, refusals get the status, code and message
 * {@link OpaErrorMappers} gives them.
 */
@ApplicationScoped
public class DecisionRoute {

    static final String PATH = "/v1/data/portcullis/decision";
    private static final String PATH_IN_DATA = "portcullis/decision";
    private static final String BEARER = "Bearer ";
    private static final Logger LOG = Logger.getLogger(DecisionRoute.class);

    @Inject
    DecisionService decisions;

    @Inject
    RequestBodies bodies;

    @Inject
    ObjectMapper json;

    @Inject
    TokenCache tokens;

    @Inject
    DecisionCallerAugmentor callers;

    void register(@Observes Router router) {
        long backstop = ConfigProvider.getConfig()
                .getOptionalValue("quarkus.http.limits.max-body-size", MemorySize.class)
                .map(MemorySize::asLongValue)
                .orElse(10L * 1024 * 1024);
        // after Quarkus's authentication handler (which sets up the deferred identity), before RESTEasy
        router.post(PATH).order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(rc -> handle(rc, backstop));
    }

    void handle(RoutingContext rc, long backstop) {
        HttpServerRequest request = rc.request();
        if (!PATH.equals(request.path())) {
            // Vert.x matched a normalised or trailing-slash form: DataResource answers it as before
            rc.next();
            return;
        }
        long start = System.nanoTime();
        Body body = new Body(rc, bodies.maxBytes(), backstop);
        SecurityIdentity known = knownIdentity(request);
        if (known != null) {
            // a token verified before: what TokenCacheIdentityProvider would answer, without the Mutiny chain
            if (known.getPrincipal() instanceof JsonWebToken jwt && callers.isDecisionClient(jwt)) {
                body.whenRead(bytes -> decide(rc, known, bytes, start));
            } else {
                forbidden(rc);
            }
            return;
        }
        QuarkusHttpUser.getSecurityIdentity(rc, null)
                .subscribe()
                .with(
                        identity -> {
                            if (identity == null || identity.isAnonymous()) {
                                unauthorized(rc);
                            } else if (!identity.hasRole(Roles.DECISION_CLIENT)) {
                                forbidden(rc);
                            } else {
                                body.whenRead(bytes -> decide(rc, identity, bytes, start));
                            }
                        },
                        failure -> {
                            if (failure instanceof AuthenticationFailedException
                                    || failure instanceof UnauthorizedException) {
                                unauthorized(rc);
                            } else {
                                LOG.error("unexpected failure", failure);
                                error(rc, 500, OpaError.INTERNAL_ERROR, "internal error");
                            }
                        });
    }

    /**
     * The identity of the request's bearer token if quarkus-oidc has verified exactly that token before
     * ({@link TokenCache#verified}); null (and the full authentication runs) for anything else: no token, another
     * scheme, several {@code Authorization} headers, a token with white space, a token not verified or expired.
     */
    private SecurityIdentity knownIdentity(HttpServerRequest request) {
        var headers = request.headers().getAll(HttpHeaders.AUTHORIZATION);
        if (headers.size() != 1) {
            return null;
        }
        String header = headers.get(0);
        if (!header.startsWith(BEARER) || header.length() == BEARER.length()) {
            return null;
        }
        String token = header.substring(BEARER.length());
        for (int i = 0; i < token.length(); i++) {
            if (Character.isWhitespace(token.charAt(i))) {
                return null;
            }
        }
        return tokens.verified(token);
    }

    private void decide(RoutingContext rc, SecurityIdentity identity, byte[] body, long start) {
        try {
            var answer = DecisionAnswers.answer(
                    decisions, PATH_IN_DATA, bodies.input(body), rc.request().params(), caller(identity), start);
            rc.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json;charset=UTF-8")
                    .end(Buffer.buffer(json.writeValueAsBytes(answer)));
        } catch (OpaException e) {
            error(rc, e.status(), e.code(), e.getMessage());
        } catch (InvalidInputException e) {
            error(rc, 400, OpaError.INVALID_PARAMETER, e.getMessage());
        } catch (DecisionLogUnavailableException e) {
            error(rc, 503, OpaError.INTERNAL_ERROR, e.getMessage());
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.error("unexpected failure", e);
            error(rc, 500, OpaError.INTERNAL_ERROR, "internal error");
        }
    }

    /** As {@link DataResource}: the calling client ({@code azp}), else the token's subject. */
    private static String caller(SecurityIdentity identity) {
        if (identity.getPrincipal() instanceof JsonWebToken jwt) {
            Object azp = jwt.getClaim("azp");
            return azp == null ? String.valueOf(jwt.getSubject()) : azp.toString();
        }
        return identity.getPrincipal().getName();
    }

    /**
     * A failed authentication has usually been answered already, by the failure handler quarkus-oidc's mechanism
     * installs (through {@link OpaErrorMappers}, the same answer as here): then nothing is written.
     */
    private void forbidden(RoutingContext rc) {
        error(rc, 403, OpaError.UNAUTHORIZED, "the caller lacks the role this endpoint requires");
    }

    private void unauthorized(RoutingContext rc) {
        if (rc.response().headWritten()) {
            return;
        }
        rc.response().putHeader("WWW-Authenticate", "Bearer");
        error(rc, 401, OpaError.UNAUTHORIZED, "a valid bearer token from the portcullis realm is required");
    }

    private void error(RoutingContext rc, int status, String code, String message) {
        if (rc.response().headWritten()) {
            return;
        }
        byte[] out;
        try {
            out = json.writeValueAsBytes(new OpaError(code, message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        rc.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Buffer.buffer(out));
    }

    /**
     * Reads the request body from the start (while the identity is being established), keeping at most
     * {@code maxBytes + 1} bytes: a larger body is answered 413 by {@link RequestBodies#checkSize} once its length
     * is known, as before, and one past the backstop ({@code quarkus.http.limits.max-body-size}; a declared length
     * over it never gets here, see {@link OpaRoutes}) is answered at once and the connection closed.
     */
    private final class Body {
        private final RoutingContext rc;
        private final int maxBytes;
        private final long backstop;
        private final Buffer kept = Buffer.buffer();
        private long length;
        private boolean ended;
        private Consumer<byte[]> then;

        Body(RoutingContext rc, int maxBytes, long backstop) {
            this.rc = rc;
            this.maxBytes = maxBytes;
            this.backstop = backstop;
            HttpServerRequest request = rc.request();
            if (request.isEnded()) {
                // read before this route ran (no handler here reads it; this is a guard): what was read, if kept
                Buffer read = rc.body() == null ? null : rc.body().buffer();
                if (read != null) {
                    chunk(read);
                }
                ended = true;
                return;
            }
            request.handler(this::chunk);
            request.endHandler(v -> end());
            request.resume();
        }

        private void chunk(Buffer chunk) {
            length += chunk.length();
            if (length <= maxBytes) {
                kept.appendBuffer(chunk);
            } else if (length > backstop && !rc.response().headWritten()) {
                rc.response().endHandler(v -> rc.request().connection().close());
                rc.response().putHeader(HttpHeaders.CONNECTION, "close");
                error(
                        rc,
                        413,
                        OpaError.INVALID_PARAMETER,
                        "request body is over " + backstop + " bytes, the limit is " + maxBytes);
            }
        }

        private void end() {
            ended = true;
            if (then != null) {
                deliver();
            }
        }

        /** Once the caller may send it: a client that asked to be told so ({@code Expect: 100-continue}) is. */
        void whenRead(Consumer<byte[]> next) {
            then = next;
            if (!ended && rc.request().headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
                rc.response().writeContinue();
            }
            if (ended) {
                deliver();
            }
        }

        private void deliver() {
            if (rc.response().headWritten()) {
                return;
            }
            try {
                bodies.checkSize(length);
            } catch (OpaException e) {
                error(rc, e.status(), e.code(), e.getMessage());
                return;
            }
            then.accept(kept.getBytes());
        }
    }
}
