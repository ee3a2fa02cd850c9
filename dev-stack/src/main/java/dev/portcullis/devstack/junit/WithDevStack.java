package dev.portcullis.devstack.junit;

import dev.portcullis.devstack.Component;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts the real dependencies a test class needs before its first test. Test methods and
 * constructors may take a {@link dev.portcullis.devstack.DevStack} parameter.
 *
 * <pre>{@code
 * @WithDevStack({Component.POSTGRES, Component.KAFKA})
 * class OutboxTest { @Test void x(DevStack stack) { ... } }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(DevStackExtension.class)
public @interface WithDevStack {

    Component[] value();

    /**
     * {@code true} (default): share one stack with the other classes of this test run; it stops when
     * the JVM exits. {@code false}: a stack of this class's own, stopped after its last test.
     */
    boolean shared() default true;
}
