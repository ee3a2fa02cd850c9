package dev.portcullis.console.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.portcullis.console.security.CsrfTokens;
import dev.portcullis.console.security.TestCsrf;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every state-changing route of the console, found by scanning its resources (any JAX-RS method but GET, HEAD and
 * OPTIONS), is refused by {@link RequestGuard} without this session's CSRF token: none, a wrong one, another
 * session's, another user's. The guard's 403 is answered before any resource method runs, so nothing reaches an API.
 */
class RequestGuardTest {

    private static final Set<String> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private final CsrfTokens csrf = TestCsrf.tokens();
    private final RequestGuard guard = new RequestGuard(TestUsers.signedIn("sid-1", "alice", "user-token"), csrf);

    @Test
    void theScanFindsTheConsolesChanges() {
        Set<String> routes = stateChangingRoutes();
        for (String known : List.of(
                "POST /api/reviews/{id}/approve",
                "POST /api/access-requests/{id}/approve",
                "POST /api/agents",
                "POST /api/agents/{name}/secret",
                "POST /api/agents/{name}/disable",
                "POST /api/agents/{name}/grants",
                "POST /api/grants/{id}/revoke",
                "PUT /api/policies/{id}")) {
            assertTrue(routes.contains(known), known + " not among " + routes);
        }
    }

    @Test
    void everyStateChangingRouteIsRefusedWithoutThisSessionsCsrfToken() {
        String token = csrf.token("sid-1", "alice");
        for (String route : stateChangingRoutes()) {
            String method = route.substring(0, route.indexOf(' '));
            for (String presented : new String[] {
                null, "", "x", token + "A", token.substring(1), csrf.token("sid-2", "alice"), csrf.token("sid-1", "bob")
            }) {
                Response r = guard.check(request(method, presented));
                assertNotNull(r, route + " admitted with CSRF token '" + presented + "'");
                assertEquals(403, r.getStatus(), route);
                assertEquals("Missing or wrong CSRF token: reload the page.\n", r.getEntity(), route);
            }
            assertNull(guard.check(request(method, token)), route + " refused with the session's own token");
        }
    }

    @Test
    void readingNeedsNoToken() {
        assertNull(guard.check(request(HttpMethod.GET, null)));
        assertNull(guard.check(request(HttpMethod.HEAD, null)));
    }

    /** {@code METHOD /path} of every JAX-RS resource method of the console whose method is not safe. */
    static Set<String> stateChangingRoutes() {
        Set<String> routes = new TreeSet<>();
        for (JavaClass c : new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.portcullis.console")) {
            Class<?> type = c.reflect();
            Path root = type.getAnnotation(Path.class);
            if (root == null) {
                continue;
            }
            for (Method m : type.getDeclaredMethods()) {
                for (String httpMethod : httpMethods(m)) {
                    if (!SAFE.contains(httpMethod)) {
                        Path sub = m.getAnnotation(Path.class);
                        routes.add(httpMethod + " " + join(root.value(), sub == null ? "" : sub.value()));
                    }
                }
            }
        }
        return routes;
    }

    private static List<String> httpMethods(Method m) {
        List<String> out = new ArrayList<>();
        for (Annotation a : m.getAnnotations()) {
            HttpMethod h = a.annotationType().getAnnotation(HttpMethod.class);
            if (h != null) {
                out.add(h.value());
            }
        }
        return out;
    }

    private static String join(String root, String sub) {
        String r = root.startsWith("/") ? root : "/" + root;
        if (sub.isEmpty()) {
            return r;
        }
        return (r.endsWith("/") ? r.substring(0, r.length() - 1) : r) + (sub.startsWith("/") ? sub : "/" + sub);
    }

    private static ContainerRequestContext request(String method, String csrfHeader) {
        return (ContainerRequestContext) Proxy.newProxyInstance(
                RequestGuardTest.class.getClassLoader(),
                new Class<?>[] {ContainerRequestContext.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getHeaderString" -> CsrfTokens.HEADER.equalsIgnoreCase((String) args[0]) ? csrfHeader : null;
                    case "toString" -> method + " request";
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }
}
