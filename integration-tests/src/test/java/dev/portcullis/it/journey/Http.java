package dev.portcullis.it.journey;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** A small JSON client over java.net.http for the broker, recorder and Keycloak APIs. */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Generous: the build machine is shared, and Keycloak calls sit behind some broker requests. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Http() {}

    record Response(String method, String url, int status, HttpHeaders headers, byte[] body) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError(
                        method + " " + url + " answered " + status + " with a body that is not JSON: " + text(), e);
            }
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** Fails with the method, URL, status and body when the status is not the expected one. */
        Response expect(int expected) {
            if (status != expected) {
                throw new AssertionError(
                        method + " " + url + ": expected HTTP " + expected + ", got " + status + ": " + text());
            }
            return this;
        }

        @Override
        public String toString() {
            return method + " " + url + " -> " + status;
        }
    }

    static Response get(String url, String bearer) {
        return send("GET", url, bearer, null);
    }

    static Response post(String url, String bearer, Object body) {
        return send("POST", url, bearer, body);
    }

    static Response patch(String url, String bearer, Object body) {
        return send("PATCH", url, bearer, body);
    }

    /** {@code body}: a Map/record/JsonNode (sent as JSON), a byte[] (sent as is), or null. */
    static Response send(String method, String url, String bearer, Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT);
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        HttpRequest.BodyPublisher publisher;
        if (body == null) {
            publisher = HttpRequest.BodyPublishers.noBody();
        } else if (body instanceof byte[] bytes) {
            b.header("Content-Type", "application/octet-stream");
            publisher = HttpRequest.BodyPublishers.ofByteArray(bytes);
        } else {
            b.header("Content-Type", "application/json");
            try {
                publisher = HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(e);
            }
        }
        return exchange(method, url, b.method(method, publisher).build());
    }

    /** An {@code application/x-www-form-urlencoded} POST (OAuth token endpoint). */
    static Response form(String url, Map<String, String> fields) {
        String body = fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest r = HttpRequest.newBuilder(URI.create(url))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return exchange("POST", url, r);
    }

    private static Response exchange(String method, String url, HttpRequest request) {
        try {
            HttpResponse<byte[]> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Response(method, url, r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + url + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + method + " " + url, e);
        }
    }
}
