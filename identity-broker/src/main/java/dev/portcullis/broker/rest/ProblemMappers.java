package dev.portcullis.broker.rest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.portcullis.broker.events.EventNotPublishedException;
import dev.portcullis.broker.keycloak.KeycloakException;
import dev.portcullis.restedge.Problems;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The broker's own errors as problem details (RFC 9457): a JSON body Jackson read but could not bind, a failed
 * Keycloak call, and an event Kafka did not acknowledge in time (503). Everything else (parameters, validation, authentication, what Quarkus REST raises itself) is
 * mapped by rest-edge's {@link dev.portcullis.restedge.ProblemMappers}.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response unreadableJson(MismatchedInputException e, HttpServerRequest request) {
        return json(e, request);
    }

    @ServerExceptionMapper
    public Response unusableJson(InvalidDefinitionException e, HttpServerRequest request) {
        return json(e, request);
    }

    private static Response json(JacksonException e, HttpServerRequest request) {
        return Problems.response(
                Problems.of(400, "the request body is not valid", request.path(), Problems.bodyErrors(e)));
    }

    @ServerExceptionMapper
    public Response unpublished(EventNotPublishedException e, HttpServerRequest request) {
        return Problems.response(Problems.of(503, e.getMessage(), request.path()));
    }

    @ServerExceptionMapper
    public Response keycloak(KeycloakException e, HttpServerRequest request) {
        if (e.status() == 409) {
            return Problems.response(Problems.of(409, e.getMessage(), request.path()));
        }
        LOG.errorf("Keycloak call failed: %s", e.getMessage());
        return Problems.response(Problems.of(502, e.getMessage(), request.path()));
    }
}
