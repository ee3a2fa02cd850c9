package dev.portcullis.proxy.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a Kubernetes API request asks for, derived from method, path and query the way
 * kube-apiserver's {@code RequestInfoFactory} does it: verb ({@code get list watch create update
 * patch delete deletecollection}, or the lower-case method for non-resource paths such as
 * {@code /version}), API group and version, namespace, resource, subresource and name.
 *
 * @param path the path as sent to the target (without the connection prefix), never decoded
 */
public record KubernetesRequest(
        boolean resourceRequest,
        String method,
        String path,
        String query,
        String verb,
        String apiGroup,
        String apiVersion,
        String namespace,
        String resource,
        String subresource,
        String name,
        List<String> command) {

    /** Subresources of a namespace itself ({@code /namespaces/x/status}), not namespaced resources. */
    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    /** A path the proxy will not interpret, so it is refused rather than guessed at. */
    public static final class BadPathException extends Exception {
        BadPathException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @param rawPath the undecoded path; dot segments, empty segments and encoded slashes, dots,
     *        backslashes or NULs are refused so that policy and target can never read it differently
     */
    public static KubernetesRequest parse(String method, String rawPath, String rawQuery) throws BadPathException {
        checkPath(rawPath);
        String query = rawQuery == null ? "" : rawQuery;
        Map<String, List<String>> params = new QueryStringDecoder(query, false).parameters();
        String m = method.toUpperCase(Locale.ROOT);
        String[] parts =
                rawPath.length() <= 1 ? new String[0] : rawPath.substring(1).split("/", -1);
        if (parts.length > 0 && parts[parts.length - 1].isEmpty()) {
            parts = Arrays.copyOf(parts, parts.length - 1); // one trailing slash
        }
        NonResource nonResource = new NonResource(m, rawPath, query);
        if (parts.length < 3 || !(parts[0].equals("api") || parts[0].equals("apis"))) {
            return nonResource.get();
        }
        int i = 1;
        String group = "";
        if (parts[0].equals("apis")) {
            if (parts.length < 4) {
                return nonResource.get();
            }
            group = parts[i++];
        }
        String version = parts[i++];
        String verb = switch (m) {
            case "POST" -> "create";
            case "GET", "HEAD" -> "get";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            default -> m.toLowerCase(Locale.ROOT);
        };
        boolean noSubresource = false;
        if (parts[i].equals("watch") || parts[i].equals("proxy")) {
            if (parts.length - i < 2) {
                throw new BadPathException("unable to determine kind and namespace from url " + rawPath);
            }
            verb = parts[i];
            noSubresource = verb.equals("proxy");
            i++;
        }
        String namespace = "";
        String[] rest = Arrays.copyOfRange(parts, i, parts.length);
        if (rest[0].equals("namespaces") && rest.length > 1) {
            namespace = rest[1];
            if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.contains(rest[2])) {
                rest = Arrays.copyOfRange(rest, 2, rest.length);
            }
        }
        String resource = rest[0];
        String name = rest.length >= 2 ? rest[1] : "";
        String subresource = rest.length >= 3 && !noSubresource ? rest[2] : "";
        if (name.isEmpty() && verb.equals("get")) {
            verb = isTrue(first(params, "watch")) ? "watch" : "list";
        } else if (verb.equals("get") && isTrue(first(params, "watch"))) {
            verb = "watch";
        }
        if (name.isEmpty() && (verb.equals("list") || verb.equals("watch"))) {
            name = nameFromFieldSelector(first(params, "fieldSelector"));
        }
        if (name.isEmpty() && verb.equals("delete")) {
            verb = "deletecollection";
        }
        List<String> command = subresource.equals("exec") ? params.getOrDefault("command", List.of()) : List.of();
        return new KubernetesRequest(
                true,
                m,
                rawPath,
                query,
                verb,
                group,
                version,
                namespace,
                resource,
                subresource,
                name,
                List.copyOf(command));
    }

    private record NonResource(String method, String path, String query) {
        KubernetesRequest get() {
            return new KubernetesRequest(
                    false, method, path, query, method.toLowerCase(Locale.ROOT), "", "", "", "", "", "", List.of());
        }
    }

    static void checkPath(String rawPath) throws BadPathException {
        if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            throw new BadPathException("the path must start with /");
        }
        String lower = rawPath.toLowerCase(Locale.ROOT);
        for (String bad : new String[] {"%2f", "%2e", "%5c", "%00", "\\"}) {
            if (lower.contains(bad)) {
                throw new BadPathException("encoded '/', '.', '\\' or NUL in the path are not accepted");
            }
        }
        String[] segments = rawPath.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            boolean trailing = i == segments.length - 1 && s.isEmpty();
            if (s.equals(".") || s.equals("..") || (s.isEmpty() && !trailing && rawPath.length() > 1)) {
                throw new BadPathException("empty, '.' and '..' path segments are not accepted");
            }
        }
    }

    private static String first(Map<String, List<String>> params, String key) {
        List<String> v = params.get(key);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Go's strconv.ParseBool true values, as kube-apiserver reads {@code ?watch=}. */
    private static boolean isTrue(String v) {
        return v != null && Set.of("1", "t", "T", "true", "TRUE", "True").contains(v);
    }

    private static String nameFromFieldSelector(String selector) {
        if (selector == null) {
            return "";
        }
        for (String term : selector.split(",")) {
            String t = term.trim();
            for (String op : new String[] {"metadata.name==", "metadata.name="}) {
                if (t.startsWith(op)) {
                    return t.substring(op.length());
                }
            }
        }
        return "";
    }

    /** True for {@code pods/exec}, {@code pods/attach} and {@code pods/portforward}: the upgrades the proxy passes through. */
    public boolean streamingSubresource() {
        return resource.equals("pods")
                && Set.of("exec", "attach", "portforward").contains(subresource);
    }

    /** The {@code request} of the policy input (docs/architecture.md "Policy"; extras are snake_case like the rest). */
    public JsonObject policyRequest(boolean upgrade) {
        JsonObject r = new JsonObject()
                .put("protocol", "kubernetes")
                .put("kind", upgrade ? "upgrade" : "request")
                .put("method", method)
                .put("path", path)
                .put("query", query)
                .put("verb", verb)
                .put("resource", resource)
                .put("subresource", subresource)
                .put("namespace", namespace)
                .put("name", name)
                .put("api_group", apiGroup)
                .put("api_version", apiVersion)
                .put("resource_request", resourceRequest);
        if (!command.isEmpty()) {
            r.put("command", String.join(" ", command));
        }
        return r;
    }
}
