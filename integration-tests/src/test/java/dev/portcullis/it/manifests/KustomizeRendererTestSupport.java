package dev.portcullis.it.manifests;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Small builders for negative tests. */
public final class KustomizeRendererTestSupport {

    private KustomizeRendererTestSupport() {}

    public static ObjectNode secret(String name) {
        ObjectNode s = KustomizeRenderer.emptyObject();
        s.put("apiVersion", "v1").put("kind", "Secret");
        s.putObject("metadata").put("name", name);
        s.putObject("stringData").put("hash-key", "not-a-real-key");
        return s;
    }
}
