package dev.portcullis.recorder.rest;

import dev.portcullis.contracts.problem.Problem;
import dev.portcullis.recorder.api.AcceptEncoding;
import dev.portcullis.recorder.api.ApiError;
import dev.portcullis.recorder.events.SessionId;
import dev.portcullis.recorder.service.RecordingDownloadService;
import dev.portcullis.restedge.AuthProblems;
import dev.portcullis.restedge.EdgeParamConverters;
import dev.portcullis.restedge.HttpProblemException;
import dev.portcullis.restedge.Problems;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.WebApplicationException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

/**
 * {@code GET /v1/sessions/{id}/recording[?format=cast]}: the stored recording, streamed from storage
 * to the client in constant memory ({@link InputStreamPump}), with its SHA-256 in {@code Repr-Digest}
 * (RFC 9530), {@code Digest} (RFC 3230), {@code X-Portcullis-Sha256} and {@code ETag}; a single
 * {@code Range} is honoured (206, or 416 with {@code Content-Range: bytes *}{@code /size}). A recording stored
 * gzip-compressed is sent as stored, {@code Content-Encoding: gzip}, to a client whose {@code Accept-Encoding} takes
 * gzip (the range and {@code Repr-Digest} then count the gzip bytes), else decompressed.
 *
 * <p>A Vert.x route rather than a JAX-RS method: the body is pumped chunk by chunk with the
 * response's own back-pressure in pooled buffers, and a client that leaves stops the storage read
 * (measured against the {@code StreamingOutput} it replaced: faster, an eighth of the allocation;
 * README "Benchmark"). Security is the same
 * as the rest of {@code /v1}: the bearer token is verified by Quarkus OIDC before this handler runs
 * (HTTP permission {@code /v1/*}), and the realm role {@code auditor} is checked here. Finding the
 * recording, writing the audit row and opening the stored object block, so they run on a worker.
 */
@ApplicationScoped
public class RecordingDownloadRoute {

    private static final Logger LOG = Logger.getLogger(RecordingDownloadRoute.class);
    static final String PATH = "/v1/sessions/:id/recording";

    private final RecordingDownloadService downloads;
    private final AtomicInteger active = new AtomicInteger();

    RecordingDownloadRoute(RecordingDownloadService downloads, MeterRegistry registry) {
        this.downloads = downloads;
        registry.gauge("recorder.downloads.active", active);
    }

    void register(@Observes Router router) {
        // before Quarkus REST's catch-all route, which serves the rest of /v1/sessions
        router.get(PATH).order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(this::handle);
        // HEAD: the same status and headers (length, digests, status), no body and no audit row
        router.head(PATH).order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(this::handle);
    }

    void handle(RoutingContext rc) {
        QuarkusHttpUser.getSecurityIdentity(rc, null)
                .subscribe()
                .with(
                        identity -> {
                            if (identity == null || identity.isAnonymous()) {
                                unauthorized(rc);
                            } else if (!identity.hasRole(Roles.AUDITOR)) {
                                error(rc, new ApiError(403, AuditorAuthProblems.FORBIDDEN));
                            } else {
                                open(rc, identity);
                            }
                        },
                        failure -> unauthorized(rc));
    }

    private void open(RoutingContext rc, SecurityIdentity identity) {
        Context context = Vertx.currentContext();
        String id = rc.pathParam("id");
        String format = rc.queryParams().get("format");
        String range = rc.request().getHeader("Range");
        boolean gzip = AcceptEncoding.allowsGzip(
                String.join(",", rc.request().headers().getAll("Accept-Encoding")));
        // the edge rules of the REST resources: an id no session can have names nothing, a bad format is a 400
        if (id == null || !SessionId.Validator.matches(id)) {
            error(
                    rc,
                    new ApiError(
                            404,
                            "no such resource: the path names one that cannot exist",
                            List.of(new Problem.FieldError("id", SessionId.MESSAGE))));
            return;
        }
        if (format != null && EdgeParamConverters.hasControlCharacter(format)) {
            error(rc, ApiError.invalid("format", "must not contain control characters"));
            return;
        }
        String f = format == null || format.isBlank() ? "jsonl" : format;
        if (!f.equals("jsonl") && !f.equals("cast")) {
            error(rc, ApiError.invalid("format", "must be jsonl or cast"));
            return;
        }
        RecordingDownloadService.Requester who = requester(rc, identity);
        boolean head = rc.request().method() == HttpMethod.HEAD;
        context.<RecordingDownloadService.Download>executeBlocking(
                        () -> head ? downloads.describe(id, f, range, gzip) : downloads.open(id, f, range, gzip, who),
                        false)
                .onComplete(opened -> {
                    if (opened.failed()) {
                        failed(rc, id, opened.cause());
                    } else if (head) {
                        headers(rc, id, opened.result());
                        if (!rc.response().closed()) {
                            rc.response().end();
                        }
                    } else if (rc.response().closed()) {
                        // the client left while the recording was being opened
                        context.executeBlocking(
                                () -> {
                                    opened.result().body().close();
                                    return null;
                                },
                                false);
                    } else {
                        stream(rc, context, id, opened.result());
                    }
                });
    }

    private void stream(RoutingContext rc, Context context, String id, RecordingDownloadService.Download d) {
        headers(rc, id, d);
        active.incrementAndGet();
        new InputStreamPump(
                        context,
                        rc.response(),
                        d.body(),
                        d.length(),
                        "the recording of session " + id,
                        rc.request().path())
                .start()
                .onComplete(sent -> active.decrementAndGet());
    }

    private static void headers(RoutingContext rc, String id, RecordingDownloadService.Download d) {
        HttpServerResponse r = rc.response();
        r.setStatusCode(d.range().isPresent() ? 206 : 200)
                .putHeader(HttpHeaders.CONTENT_TYPE, d.contentType())
                .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(d.length()))
                .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
                .putHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + id + "." + d.format() + "\"")
                .putHeader("X-Portcullis-Recording-Status", d.session().status)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                // what is sent depends on Accept-Encoding (a recording stored compressed)
                .putHeader(HttpHeaders.VARY, "Accept-Encoding");
        if (d.encoding() != null) {
            r.putHeader(HttpHeaders.CONTENT_ENCODING, d.encoding());
        }
        // Repr-Digest and ETag are of the representation sent (the gzip bytes when gzip is sent, RFC 9530);
        // X-Portcullis-Sha256 is always the uncompressed recording's, what verifiers and the metadata name
        if (d.reprSha256() != null) {
            String b64 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(d.reprSha256()));
            r.putHeader("Repr-Digest", "sha-256=:" + b64 + ":")
                    .putHeader("Digest", "sha-256=" + b64)
                    .putHeader(HttpHeaders.ETAG, "\"" + d.reprSha256() + "\"");
        }
        if (d.sha256() != null) {
            r.putHeader("X-Portcullis-Sha256", d.sha256());
        }
        if ("jsonl".equals(d.format()) && d.session().chainHead != null) {
            r.putHeader("X-Portcullis-Chain-Head", d.session().chainHead);
        }
        d.range().ifPresent(br -> r.putHeader(HttpHeaders.CONTENT_RANGE, br.contentRange(d.size())));
    }

    private static RecordingDownloadService.Requester requester(RoutingContext rc, SecurityIdentity identity) {
        String subject = identity.getPrincipal().getName();
        String username = null;
        if (identity.getPrincipal() instanceof JsonWebToken jwt) {
            subject = jwt.getSubject();
            username = jwt.getClaim("preferred_username");
        }
        var address = rc.request().remoteAddress();
        return new RecordingDownloadService.Requester(
                subject, username, address == null ? null : address.hostAddress());
    }

    private static void failed(RoutingContext rc, String id, Throwable e) {
        if (e instanceof WebApplicationException wae) {
            error(rc, wae);
            return;
        }
        LOG.errorf("download of the recording of session %s failed: %s", id, e.toString());
        error(rc, new ApiError(500, "download failed"));
    }

    private static void unauthorized(RoutingContext rc) {
        rc.response().putHeader("WWW-Authenticate", "Bearer");
        error(rc, new ApiError(401, AuthProblems.UNAUTHORIZED));
    }

    /** The error as problem details, with the headers it carries ({@code Content-Range} of a 416). */
    private static void error(RoutingContext rc, WebApplicationException e) {
        if (rc.response().ended() || rc.response().closed()) {
            return;
        }
        var response = e.getResponse();
        Map<String, List<String>> headers = response.getStringHeaders();
        headers.forEach((name, values) -> {
            if (!HttpHeaders.CONTENT_TYPE.toString().equalsIgnoreCase(name)) {
                rc.response().putHeader(name, values);
            }
        });
        List<Problem.FieldError> errors = e instanceof HttpProblemException a ? a.errors() : null;
        Problems.end(
                rc.response(),
                Problems.of(response.getStatus(), e.getMessage(), rc.request().path(), errors));
    }
}
