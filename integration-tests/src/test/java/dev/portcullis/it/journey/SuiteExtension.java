package dev.portcullis.it.journey;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives test classes the one {@link PortcullisSuite} of this test run. It lives in the root
 * context's store, so it starts with the first class that asks and stops (AutoCloseable) when the
 * whole run ends; a start that failed is remembered, not retried by every class.
 */
public final class SuiteExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SuiteExtension.class);

    /** The suite, or the reason it could not start. */
    private static final class Holder implements AutoCloseable {
        final PortcullisSuite suite;
        final Throwable failure;

        Holder(PortcullisSuite suite, Throwable failure) {
            this.suite = suite;
            this.failure = failure;
        }

        @Override
        public void close() {
            if (suite != null) {
                suite.close();
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == PortcullisSuite.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Holder h = context.getRoot()
                .getStore(NAMESPACE)
                .computeIfAbsent(
                        Holder.class,
                        k -> {
                            try {
                                return new Holder(PortcullisSuite.start(), null);
                            } catch (Exception | Error e) {
                                return new Holder(null, e);
                            }
                        },
                        Holder.class);
        if (h.failure != null) {
            throw new ParameterResolutionException("the Portcullis suite did not start: " + h.failure, h.failure);
        }
        return h.suite;
    }
}
