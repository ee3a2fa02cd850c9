package dev.portcullis.proxy.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which representations the proxy asks kube-apiserver for and which it lets back (docs/architecture.md "HTTP and
 * Kubernetes gateway"). Masking reads JSON, so resource requests ask for JSON only: YAML, protobuf and CBOR ranges
 * are dropped from {@code Accept} (an agent asking for YAML gets JSON, which every client of the API reads), while
 * {@code as=Table} and {@code as=PartialObjectMetadata(List)} stay, being JSON the masker walks like any other
 * object. What comes back is checked again: a resource response that is neither JSON nor plain text (logs) is
 * refused, whatever the API server chose to send. Proxied requests ({@code services/x/proxy}, the {@code proxy/}
 * verb) reach an application, not the API, and non-resource paths (discovery, OpenAPI) hold no objects: for them
 * only protobuf and CBOR are dropped, as before.
 */
final class KubeRepresentations {

    private KubeRepresentations() {}

    /** Whether the request reaches kube-apiserver's own object handlers (not a proxied application). */
    static boolean apiObjects(KubernetesRequest kube) {
        return kube.resourceRequest()
                && !kube.verb().equals("proxy")
                && !kube.subresource().equals("proxy");
    }

    /** The {@code Accept} sent to the API server for the agent's {@code accept} (all its Accept headers joined). */
    static String accept(KubernetesRequest kube, String accept) {
        boolean objects = apiObjects(kube);
        List<String> kept = new ArrayList<>();
        for (String part : accept.split(",")) {
            String range = part.strip();
            int semi = range.indexOf(';');
            String type = (semi < 0 ? range : range.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
            if (type.isEmpty()) {
                continue;
            }
            boolean keep = objects
                    ? type.equals("application/json")
                            || type.equals("*/*")
                            || type.equals("application/*")
                            || type.equals("text/plain")
                    : !type.contains("protobuf") && !type.contains("cbor");
            if (keep) {
                kept.add(range);
            }
        }
        return kept.isEmpty() ? "application/json" : String.join(", ", kept);
    }

    /**
     * Why a response cannot be passed on, or null when it can be read (and so masked): on API objects only JSON and
     * plain text are; on anything else only an unreadable Secret is refused (by the caller's secrets check).
     *
     * @param contentType the response's Content-Type, null when absent
     */
    static String refusal(KubernetesRequest kube, String contentType, int status, String contentLength) {
        String type =
                contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).strip();
        int semi = type.indexOf(';');
        String media = (semi < 0 ? type : type.substring(0, semi)).strip();
        boolean json = media.equals("application/json") || media.endsWith("+json");
        boolean secrets = kube.resource().equals("secrets");
        if (type.isEmpty() && "0".equals(contentLength)) {
            return null; // no body at all
        }
        if (secrets && !json && (status < 300 || apiObjects(kube))) {
            return "a " + describe(media) + " response for secrets cannot be masked; the proxy asks for JSON";
        }
        if (apiObjects(kube) && !json && !media.equals("text/plain")) {
            return "a " + describe(media) + " response cannot be masked; the proxy asks for JSON";
        }
        return null;
    }

    private static String describe(String media) {
        return media.isEmpty() ? "untyped" : RequestUri.shorten(media);
    }
}
