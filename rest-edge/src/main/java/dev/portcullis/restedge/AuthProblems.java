package dev.portcullis.restedge;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * What a 401 and a 403 say, in Quarkus REST and on the HTTP layer alike ({@link ProblemMappers},
 * {@link ProblemRoutes}). A service whose API needs a single role may declare a bean of its own that names it.
 */
@DefaultBean
@ApplicationScoped
public class AuthProblems {

    public static final String UNAUTHORIZED = "a valid bearer token from the portcullis realm is required";

    public String unauthorized() {
        return UNAUTHORIZED;
    }

    public String forbidden() {
        return "your token does not carry a role this operation needs";
    }
}
