package dev.portcullis.restedge;

import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.MatrixParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every JAX-RS endpoint of the application, read from the resource classes' annotations, so that a test that
 * must cover every endpoint notices a new one.
 */
public final class Endpoints {

    /** One resource method: {@code GET /v1/agents/{name}}, its path and query parameters, whether it reads a body. */
    public record Endpoint(
            String method, String path, List<String> pathParams, List<String> queryParams, boolean body) {
        public String key() {
            return method + " " + path;
        }
    }

    private static final Pattern TEMPLATE = Pattern.compile("\\{\\s*(\\w[\\w.-]*)\\s*(?::[^}]*)?}");

    private Endpoints() {}

    /** The endpoints of the resource classes under {@code basePackage} (on the file system, as in a test run). */
    public static List<Endpoint> of(String basePackage) {
        List<Endpoint> out = new ArrayList<>();
        for (Class<?> type : classes(basePackage)) {
            Path classPath = type.getAnnotation(Path.class);
            if (classPath == null) {
                continue;
            }
            for (Method m : type.getDeclaredMethods()) {
                String http = httpMethod(m);
                if (http == null) {
                    continue;
                }
                Path methodPath = m.getAnnotation(Path.class);
                String template = join(classPath.value(), methodPath == null ? "" : methodPath.value());
                List<String> pathParams = new ArrayList<>();
                Matcher t = TEMPLATE.matcher(template);
                StringBuilder normal = new StringBuilder();
                while (t.find()) {
                    pathParams.add(t.group(1));
                    t.appendReplacement(normal, Matcher.quoteReplacement("{" + t.group(1) + "}"));
                }
                t.appendTail(normal);
                List<String> query = new ArrayList<>();
                boolean body = false;
                for (Parameter p : m.getParameters()) {
                    QueryParam q = p.getAnnotation(QueryParam.class);
                    if (q != null) {
                        query.add(q.value());
                    } else if (isEntity(p)) {
                        body = true;
                    }
                }
                out.add(new Endpoint(http, normal.toString(), List.copyOf(pathParams), List.copyOf(query), body));
            }
        }
        out.sort(java.util.Comparator.comparing(Endpoint::key));
        return Collections.unmodifiableList(out);
    }

    private static String httpMethod(Method m) {
        for (Annotation a : m.getAnnotations()) {
            HttpMethod h = a.annotationType().getAnnotation(HttpMethod.class);
            if (h != null) {
                return h.value();
            }
        }
        return null;
    }

    private static boolean isEntity(Parameter p) {
        for (Class<? extends Annotation> a : List.of(
                PathParam.class,
                QueryParam.class,
                HeaderParam.class,
                CookieParam.class,
                FormParam.class,
                MatrixParam.class,
                BeanParam.class,
                Context.class)) {
            if (p.isAnnotationPresent(a)) {
                return false;
            }
        }
        return !p.getType().getName().startsWith("io.vertx.");
    }

    private static String join(String a, String b) {
        String s = ("/" + a + "/" + b).replaceAll("/+", "/");
        return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static List<Class<?>> classes(String basePackage) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        List<Class<?>> out = new ArrayList<>();
        try {
            var urls = loader.getResources(basePackage.replace('.', '/'));
            while (urls.hasMoreElements()) {
                URL url = urls.nextElement();
                if (!"file".equals(url.getProtocol())) {
                    continue;
                }
                java.nio.file.Path root = java.nio.file.Path.of(url.toURI());
                try (Stream<java.nio.file.Path> files = Files.walk(root)) {
                    for (java.nio.file.Path f :
                            files.filter(f -> f.toString().endsWith(".class")).toList()) {
                        String rel = root.relativize(f).toString().replace('/', '.');
                        String name = basePackage + "." + rel.substring(0, rel.length() - ".class".length());
                        out.add(Class.forName(name, false, loader));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
