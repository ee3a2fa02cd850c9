package dev.portcullis.restedge;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * Where a request value came from: a path segment, a query parameter, a header, or the body (with the field's
 * path inside it). Decides the status of a malformed value (README, "Errors"): a malformed path id
 * names a resource that cannot exist (404); a malformed query parameter, header or body is a bad request (400).
 */
public record ParamLocation(Kind kind, String name) {

    public enum Kind {
        PATH,
        QUERY,
        HEADER,
        BODY
    }

    /** The location named by a resource method parameter's annotations, or null if it is not a named parameter. */
    public static ParamLocation of(Annotation[] annotations, String javaName) {
        for (Annotation a : annotations) {
            if (a instanceof PathParam p) {
                return new ParamLocation(Kind.PATH, p.value());
            } else if (a instanceof RestPath p) {
                return new ParamLocation(Kind.PATH, p.value().isEmpty() ? javaName : p.value());
            } else if (a instanceof QueryParam q) {
                return new ParamLocation(Kind.QUERY, q.value());
            } else if (a instanceof RestQuery q) {
                return new ParamLocation(Kind.QUERY, q.value().isEmpty() ? javaName : q.value());
            } else if (a instanceof HeaderParam h) {
                return new ParamLocation(Kind.HEADER, h.value());
            } else if (a instanceof RestHeader h) {
                return new ParamLocation(Kind.HEADER, h.value().isEmpty() ? javaName : h.value());
            }
        }
        return null;
    }

    /**
     * Where the value a Bean Validation violation is about came from: the violated resource method parameter's
     * JAX-RS annotation names it; any other parameter is the body, named by the property path inside it.
     */
    public static ParamLocation of(ConstraintViolation<?> v) {
        String method = null;
        List<Class<?>> types = List.of();
        int index = -1;
        List<String> inside = new ArrayList<>();
        for (Path.Node node : v.getPropertyPath()) {
            if (node.getKind() == ElementKind.METHOD) {
                method = node.getName();
                types = node.as(Path.MethodNode.class).getParameterTypes();
            } else if (node.getKind() == ElementKind.PARAMETER) {
                index = node.as(Path.ParameterNode.class).getParameterIndex();
            } else if (node.getName() != null) {
                inside.add(node.getIndex() != null ? node.getName() + "[" + node.getIndex() + "]" : node.getName());
            }
        }
        String field = inside.isEmpty() ? "body" : String.join(".", inside);
        if (method == null || index < 0) {
            return new ParamLocation(Kind.BODY, field);
        }
        java.lang.reflect.Parameter parameter = parameter(v.getRootBeanClass(), method, types, index);
        ParamLocation named = parameter == null ? null : of(parameter.getAnnotations(), parameter.getName());
        return named != null ? named : new ParamLocation(Kind.BODY, field);
    }

    /** The declared parameter, looked up past generated subclasses (which do not repeat parameter annotations). */
    private static java.lang.reflect.Parameter parameter(Class<?> type, String name, List<Class<?>> types, int index) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod(name, types.toArray(Class<?>[]::new));
                java.lang.reflect.Parameter p = m.getParameters()[index];
                if (of(p.getAnnotations(), p.getName()) != null || c.getSuperclass() == Object.class) {
                    return p;
                }
            } catch (NoSuchMethodException e) {
                // declared further up
            }
        }
        return null;
    }
}
