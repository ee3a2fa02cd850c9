package dev.portcullis.it.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization the way {@code kubectl kustomize} does for the subset of kustomize that
 * Portcullis' manifests use: {@code resources} (files and directories with a kustomization),
 * {@code namespace}, and {@code patches} that are JSON 6902 operation lists with a kind/name target.
 * Anything else in a kustomization makes it fail loudly, so the fallback can never silently render
 * something different from kustomize.
 */
public final class KustomizeRenderer {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "resources", "namespace", "patches");
    /** Cluster-scoped kinds that kustomize does not give a namespace (only those we could meet). */
    private static final Set<String> CLUSTER_SCOPED = Set.of(
            "Namespace",
            "ClusterRole",
            "ClusterRoleBinding",
            "CustomResourceDefinition",
            "StorageClass",
            "PersistentVolume",
            "SecurityContextConstraints");

    private KustomizeRenderer() {}

    /** Renders the kustomization in {@code dir} with the Java renderer. */
    public static List<ObjectNode> render(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no kustomization.yaml in " + dir);
        }
        JsonNode k = readDocuments(file).get(0);
        k.fieldNames().forEachRemaining(f -> {
            if (!SUPPORTED.contains(f)) {
                throw new IllegalArgumentException(
                        file + ": kustomize field '" + f
                                + "' is not supported by the Java renderer; keep overlays to resources, namespace and JSON 6902 patches");
            }
        });
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(render(p));
            } else {
                for (JsonNode doc : readDocuments(p)) {
                    out.add((ObjectNode) doc);
                }
            }
        }
        for (JsonNode patch : k.path("patches")) {
            applyPatch(dir, patch, out);
        }
        if (k.hasNonNull("namespace")) {
            String ns = k.get("namespace").asText();
            for (ObjectNode o : out) {
                if (!CLUSTER_SCOPED.contains(o.path("kind").asText())) {
                    o.withObjectProperty("metadata").put("namespace", ns);
                }
            }
        }
        return out;
    }

    /** Renders with {@code kubectl kustomize}; empty when kubectl is not on the PATH. */
    public static java.util.Optional<List<ObjectNode>> renderWithKubectl(Path dir) {
        Path kubectl = findOnPath("kubectl");
        if (kubectl == null) {
            return java.util.Optional.empty();
        }
        try {
            Path outFile = Files.createTempFile("kustomize", ".yaml");
            Path errFile = Files.createTempFile("kustomize", ".err");
            try {
                Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                        .redirectOutput(outFile.toFile())
                        .redirectError(errFile.toFile())
                        .start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("kubectl kustomize " + dir + " timed out");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("kubectl kustomize " + dir + " failed: "
                            + Files.readString(errFile, StandardCharsets.UTF_8));
                }
                List<ObjectNode> docs = new ArrayList<>();
                for (JsonNode d : readDocuments(outFile)) {
                    docs.add((ObjectNode) d);
                }
                return java.util.Optional.of(docs);
            } finally {
                Files.deleteIfExists(outFile);
                Files.deleteIfExists(errFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Path findOnPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(d, exe);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** All non-empty YAML documents of a file. */
    public static List<JsonNode> readDocuments(Path file) {
        try {
            List<JsonNode> docs = new ArrayList<>();
            // one readTree per YAML document (a MappingIterator would unwrap a top-level list)
            try (var parser = YAML.getFactory().createParser(Files.readString(file, StandardCharsets.UTF_8))) {
                while (parser.nextToken() != null) {
                    JsonNode n = YAML.readTree(parser);
                    if (n != null && !n.isNull() && !n.isMissingNode() && !(n.isObject() && n.isEmpty())) {
                        docs.add(n);
                    }
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void applyPatch(Path dir, JsonNode patch, List<ObjectNode> objects) {
        JsonNode target = patch.path("target");
        if (!patch.hasNonNull("path") || !target.hasNonNull("kind") || !target.hasNonNull("name")) {
            throw new IllegalArgumentException(dir + ": every patch needs a path and a target with kind and name");
        }
        Path file = dir.resolve(patch.get("path").asText());
        JsonNode ops = readDocuments(file).get(0);
        if (!ops.isArray()) {
            throw new IllegalArgumentException(file + ": only JSON 6902 patches (a list of operations) are supported");
        }
        int matched = 0;
        for (ObjectNode o : objects) {
            if (o.path("kind").asText().equals(target.get("kind").asText())
                    && o.path("metadata")
                            .path("name")
                            .asText()
                            .equals(target.get("name").asText())
                    && (!target.hasNonNull("group")
                            || apiGroup(o).equals(target.get("group").asText()))) {
                for (JsonNode op : ops) {
                    JsonPatch.apply(o, op);
                }
                matched++;
            }
        }
        if (matched == 0) {
            throw new IllegalArgumentException(file + ": patch target " + target + " matches no resource");
        }
    }

    static String apiGroup(JsonNode o) {
        String av = o.path("apiVersion").asText();
        int slash = av.indexOf('/');
        return slash < 0 ? "" : av.substring(0, slash);
    }

    /** The few JSON 6902 operations the overlays use: add, replace, remove, test. */
    static final class JsonPatch {
        static void apply(ObjectNode root, JsonNode op) {
            String kind = op.path("op").asText();
            List<String> path = pointer(op.path("path").asText());
            JsonNode parent = root;
            for (int i = 0; i < path.size() - 1; i++) {
                parent = child(parent, path.get(i));
                if (parent == null || parent.isMissingNode()) {
                    throw new IllegalArgumentException(
                            "patch path " + op.path("path").asText() + " does not exist");
                }
            }
            String last = path.get(path.size() - 1);
            switch (kind) {
                case "add" -> {
                    if (parent instanceof ObjectNode on) {
                        on.set(last, op.get("value").deepCopy());
                    } else if (parent instanceof ArrayNode an) {
                        if ("-".equals(last)) {
                            an.add(op.get("value").deepCopy());
                        } else {
                            an.insert(Integer.parseInt(last), op.get("value").deepCopy());
                        }
                    }
                }
                case "replace" -> {
                    if (child(parent, last) == null) {
                        throw new IllegalArgumentException(
                                "replace of missing " + op.path("path").asText());
                    }
                    if (parent instanceof ObjectNode on) {
                        on.set(last, op.get("value").deepCopy());
                    } else {
                        ((ArrayNode) parent)
                                .set(Integer.parseInt(last), op.get("value").deepCopy());
                    }
                }
                case "remove" -> {
                    if (child(parent, last) == null) {
                        throw new IllegalArgumentException(
                                "remove of missing " + op.path("path").asText());
                    }
                    if (parent instanceof ObjectNode on) {
                        on.remove(last);
                    } else {
                        ((ArrayNode) parent).remove(Integer.parseInt(last));
                    }
                }
                case "test" -> {
                    if (!op.path("value").equals(child(parent, last))) {
                        throw new IllegalArgumentException(
                                "patch test of " + op.path("path").asText() + " failed: is " + child(parent, last)
                                        + ", not " + op.path("value"));
                    }
                }
                default -> throw new IllegalArgumentException("JSON patch op '" + kind + "' is not supported");
            }
        }

        private static JsonNode child(JsonNode n, String key) {
            if (n instanceof ArrayNode an) {
                int i = Integer.parseInt(key);
                return i < an.size() ? an.get(i) : null;
            }
            return n.get(key);
        }

        private static List<String> pointer(String p) {
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("bad JSON pointer " + p);
            }
            List<String> parts = new ArrayList<>();
            for (String s : p.substring(1).split("/", -1)) {
                parts.add(s.replace("~1", "/").replace("~0", "~"));
            }
            return parts;
        }
    }

    static ObjectNode emptyObject() {
        return JsonNodeFactory.instance.objectNode();
    }
}
