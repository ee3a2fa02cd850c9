package dev.portcullis.proxy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Logger;
import org.jboss.logmanager.formatters.PatternFormatter;

/**
 * The records one logger (and its children) writes while open, each with the MDC it was logged
 * with. A JBoss LogManager handler, the log manager the tests and Quarkus run with.
 */
public final class LogCapture extends ExtHandler implements AutoCloseable {

    // the message with its parameters in (ExtLogRecord.getFormattedMessage() is deprecated for a formatter)
    private static final PatternFormatter MESSAGE = new PatternFormatter("%s");

    private final Logger logger;
    public final List<ExtLogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(String category) {
        this.logger = Logger.getLogger(category);
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** A record's message with its parameters in. */
    public static String message(ExtLogRecord record) {
        return MESSAGE.format(record);
    }

    public static LogCapture of(Class<?> category) {
        return new LogCapture(category.getName());
    }

    public static LogCapture of(String category) {
        return new LogCapture(category);
    }

    @Override
    protected void doPublish(ExtLogRecord record) {
        record.copyMdc(); // the MDC of the logging thread, now
        records.add(record);
    }

    /** The records whose formatted message contains {@code text}. */
    public List<ExtLogRecord> containing(String text) {
        return records.stream().filter(r -> message(r).contains(text)).toList();
    }

    /** The first record containing {@code text}, waiting up to {@code timeout} for it (it may be logged later). */
    public ExtLogRecord await(String text, java.time.Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<ExtLogRecord> found = containing(text);
            if (!found.isEmpty()) {
                return found.getFirst();
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no record containing '" + text + "' within " + timeout + "; logged: "
                        + records.stream().map(LogCapture::message).toList());
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
