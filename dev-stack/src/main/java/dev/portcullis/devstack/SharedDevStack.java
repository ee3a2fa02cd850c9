package dev.portcullis.devstack;

/**
 * One stack per JVM, shared by every test class that asks for it: Keycloak alone takes ~25 s to
 * start, so a test run starts each component at most once. Its processes stop when the JVM exits
 * (the child-process reaper and zonky's shutdown hook).
 */
public final class SharedDevStack {

    private static DevStack stack;

    private SharedDevStack() {}

    public static synchronized DevStack ensure(Component... components) {
        if (stack == null) {
            stack = DevStack.builder().build();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stack.close(), "dev-stack-shared-stop"));
        }
        return stack.ensure(components);
    }
}
