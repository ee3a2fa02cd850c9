package dev.portcullis.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A server started as a child process, its output appended to a log file, its pid written to a pid
 * file. Every child is registered with one JVM shutdown hook, so a test run or launcher that ends
 * (normally or by SIGTERM/SIGINT) takes its children with it; {@link #stop} stops the whole process
 * tree (scripts such as kc.sh start a JVM beneath them).
 */
public final class ChildProcess {

    private static final Set<ChildProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            for (ChildProcess child : List.copyOf(LIVE)) {
                                child.stop(Duration.ofSeconds(10));
                            }
                        },
                        "dev-stack-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path logFile;
    private final Path pidFile;

    private ChildProcess(String name, Process process, Path logFile, Path pidFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.pidFile = pidFile;
    }

    /**
     * Starts {@code command} in {@code workDir}; stdout and stderr go to {@code logFile}; the pid goes
     * to {@code pidFile} when one is given.
     */
    public static ChildProcess start(
            String name, List<String> command, Map<String, String> env, Path workDir, Path logFile, Path pidFile) {
        try {
            Files.createDirectories(logFile.getParent());
            Files.writeString(
                    logFile,
                    "==== dev-stack: starting " + name + ": " + String.join(" ", redact(command))
                            + System.lineSeparator(),
                    StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().putAll(env);
            Process process = builder.start();
            if (pidFile != null) {
                Files.createDirectories(pidFile.getParent());
                Files.writeString(pidFile, Long.toString(process.pid()));
            }
            ChildProcess child = new ChildProcess(name, process, logFile, pidFile);
            LIVE.add(child);
            return child;
        } catch (IOException e) {
            throw new DevStackException("could not start " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
        }
    }

    private static List<String> redact(List<String> command) {
        List<String> shown = new ArrayList<>(command.size());
        for (String arg : command) {
            shown.add(
                    arg.toLowerCase(java.util.Locale.ROOT).contains("password") ? arg.replaceAll("=.*", "=****") : arg);
        }
        return shown;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /** Waits for the process to exit by itself (for one-shot tools such as Kafka's StorageTool). */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stop(Duration.ofSeconds(5));
                throw new DevStackException(
                        name + " did not finish within " + timeout.toSeconds() + " s; see " + logFile);
            }
            LIVE.remove(this);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DevStackException("interrupted while waiting for " + name, e);
        }
    }

    /** The last {@code lines} lines of the log, for error messages. */
    public String logTail(int lines) {
        return tail(logFile, lines);
    }

    static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no log at " + file + ")";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(could not read " + file + ": " + e.getMessage() + ")";
        }
    }

    /** Descendants first snapshot, then SIGTERM to all, then SIGKILL to whatever is left after the grace period. */
    public void stop(Duration grace) {
        stopTree(process.toHandle(), grace);
        LIVE.remove(this);
        if (pidFile != null) {
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // a stale pid file is checked against the live process by `down`
            }
        }
    }

    /** Stops a process and every process beneath it; returns true when none of them is left. */
    public static boolean stopTree(ProcessHandle root, Duration grace) {
        List<ProcessHandle> tree = new ArrayList<>();
        root.descendants().forEach(tree::add);
        tree.add(root);
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle handle : tree) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    handle.onExit().get(left, TimeUnit.NANOSECONDS);
                }
            } catch (Exception timeoutOrInterrupt) {
                // falls through to the forcible stop below
            }
        }
        boolean clean = true;
        for (ProcessHandle handle : tree) {
            if (handle.isAlive()) {
                handle.destroyForcibly();
                clean = false;
            }
        }
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // reported by the caller through isAlive()
            }
        }
        return clean;
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + "]";
    }
}
