package dev.portcullis.proxy.http;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a Kubernetes API request asks for, derived from method, path and query the way
 * kube-apiserver's {@code RequestInfoFactory} does it, on the path and query as kube-apiserver decodes them
 * ({@link RequestUri}): verb ({@code get list watch create update patch delete deletecollection proxy}, or the
 * lower-case method for non-resource paths such as {@code /version}), API group and version, namespace, resource,
 * subresource and name.
 *
 * @param path the decoded path (without the connection prefix): what kube-apiserver reads
 * @param query the canonical query sent to the target
 * @param uri the decoded request target; {@link RequestUri#encodedPath()} is what the target is sent
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
        List<String> command,
        RequestUri uri) {

    /** Subresources of a namespace itself ({@code /namespaces/x/status}), not namespaced resources. */
    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    /** The methods kube-apiserver maps to a verb; any other method on a resource path is refused. */
    private static final Map<String, String> METHOD_VERBS = Map.of(
            "POST", "create", "GET", "get", "HEAD", "get", "PUT", "update", "PATCH", "patch", "DELETE", "delete");

    /** A request the proxy will not interpret, so it is refused rather than guessed at. */
    public static final class BadPathException extends Exception {
        private final int code;

        BadPathException(String message) {
            this(400, message);
        }

        BadPathException(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        /** 400, or 405 for a method kube-apiserver has no verb for. */
        public int code() {
            return code;
        }

        public String reason() {
            return code == 405 ? "MethodNotAllowed" : "BadRequest";
        }
    }

    /** Decodes {@code rawPath} and {@code rawQuery} ({@link RequestUri}), then reads the request. */
    public static KubernetesRequest parse(String method, String rawPath, String rawQuery) throws BadPathException {
        try {
            return parse(method, RequestUri.parse(rawPath, rawQuery));
        } catch (RequestUri.AmbiguousException e) {
            throw new BadPathException(e.getMessage());
        }
    }

    public static KubernetesRequest parse(String method, RequestUri uri) throws BadPathException {
        String m = method.toUpperCase(Locale.ROOT);
        List<String> parts = uri.segments();
        NonResource nonResource = new NonResource(m, uri);
        if (parts.size() < 3 || !(parts.get(0).equals("api") || parts.get(0).equals("apis"))) {
            return nonResource.get();
        }
        int i = 1;
        String group = "";
        if (parts.get(0).equals("apis")) {
            if (parts.size() < 4) {
                return nonResource.get();
            }
            group = parts.get(i++);
        }
        String version = parts.get(i++);
        String verb = METHOD_VERBS.get(m);
        if (verb == null || !m.equals(method)) {
            throw new BadPathException(
                    405, "method " + RequestUri.shorten(method) + " is not accepted on " + "Kubernetes resources");
        }
        boolean noSubresource = false;
        if (parts.get(i).equals("watch") || parts.get(i).equals("proxy")) {
            if (parts.size() - i < 2) {
                throw new BadPathException("unable to determine kind and namespace from url " + uri.encodedPath());
            }
            if (parts.get(i).equals("watch") && !verb.equals("get")) {
                throw new BadPathException(405, "the watch/ path takes GET only");
            }
            verb = parts.get(i);
            noSubresource = verb.equals("proxy");
            i++;
        }
        String namespace = "";
        List<String> rest = parts.subList(i, parts.size());
        if (rest.get(0).equals("namespaces") && rest.size() > 1) {
            namespace = rest.get(1);
            if (rest.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(rest.get(2))) {
                rest = rest.subList(2, rest.size());
            }
        }
        String resource = rest.get(0);
        String name = rest.size() >= 2 ? rest.get(1) : "";
        String subresource = rest.size() >= 3 && !noSubresource ? rest.get(2) : "";
        if (name.isEmpty() && verb.equals("get")) {
            // ListOptions' bool conversion: present and not "0"/"false" (any case) means true, "" included
            String watch = uri.first("watch");
            verb = watch != null && !watch.equals("0") && !watch.equalsIgnoreCase("false") ? "watch" : "list";
            for (String numeric : new String[] {"limit", "timeoutSeconds"}) {
                String v = uri.first(numeric);
                if (v != null && !v.matches("-?[0-9]{1,18}")) {
                    throw new BadPathException("query parameter " + numeric + " must be a number");
                }
            }
            name = nameFromFieldSelector(uri.first("fieldSelector"));
        }
        if (name.isEmpty() && verb.equals("delete")) {
            verb = "deletecollection";
        }
        List<String> command = subresource.equals("exec") ? uri.all("command") : List.of();
        return new KubernetesRequest(
                true,
                m,
                uri.path(),
                uri.encodedQuery(),
                verb,
                group,
                version,
                namespace,
                resource,
                subresource,
                name,
                command,
                uri);
    }

    public KubernetesRequest {
        command = List.copyOf(command);
    }

    private record NonResource(String method, RequestUri uri) {
        KubernetesRequest get() {
            return new KubernetesRequest(
                    false,
                    method,
                    uri.path(),
                    uri.encodedQuery(),
                    method.toLowerCase(Locale.ROOT),
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    List.of(),
                    uri);
        }
    }

    /**
     * The name a list or watch is narrowed to by {@code fieldSelector=metadata.name=x} (kube-apiserver's {@code
     * RequiresExactMatch}, then only a valid path-segment name). Escapes ({@code \,}) and a second {@code
     * metadata.name} term would need kube's selector grammar to read one way only: refused.
     */
    static String nameFromFieldSelector(String selector) throws BadPathException {
        if (selector == null) {
            return "";
        }
        if (selector.indexOf('\\') >= 0) {
            throw new BadPathException("escapes in fieldSelector are not accepted");
        }
        String name = null;
        for (String t : selector.split(",", -1)) {
            String value = null;
            if (t.startsWith("metadata.name==")) {
                value = t.substring("metadata.name==".length());
            } else if (t.startsWith("metadata.name=")) {
                value = t.substring("metadata.name=".length());
            } else if (t.contains("metadata.name") && !t.startsWith("metadata.name!=")) {
                // " metadata.name=x" or "metadata.name =x" is another field to kube: not worth guessing
                throw new BadPathException("fieldSelector term '" + RequestUri.shorten(t) + "' is not accepted");
            }
            if (value != null) {
                if (name != null) {
                    throw new BadPathException("fieldSelector names metadata.name more than once");
                }
                name = value;
            }
        }
        if (name == null || name.equals(".") || name.equals("..") || name.contains("/") || name.contains("%")) {
            return "";
        }
        return name;
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
