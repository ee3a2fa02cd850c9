package dev.portcullis.devstack.junit;

import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.SharedDevStack;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/** The JUnit 5 side of {@link WithDevStack}. */
public final class DevStackExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DevStackExtension.class);

    /** Closes a class-owned stack when JUnit closes the class's store. */
    private record Owned(DevStack stack) implements AutoCloseable {
        @Override
        public void close() {
            stack.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        WithDevStack spec = AnnotationSupport.findAnnotation(context.getRequiredTestClass(), WithDevStack.class)
                .orElseThrow(() -> new ExtensionConfigurationException("DevStackExtension needs @WithDevStack"));
        DevStack stack;
        if (spec.shared()) {
            stack = SharedDevStack.ensure(spec.value());
        } else {
            stack = DevStack.builder().build();
            context.getStore(NS).put(Owned.class, new Owned(stack));
            stack.ensure(spec.value());
        }
        context.getStore(NS).put(DevStack.class, stack);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == DevStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NS).get(DevStack.class, DevStack.class);
    }
}
