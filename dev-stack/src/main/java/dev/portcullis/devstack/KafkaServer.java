package dev.portcullis.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A single-node Apache Kafka broker in KRaft mode (broker and controller in one JVM), run from the
 * Kafka artifacts on Maven Central in a child JVM.
 */
public final class KafkaServer implements AutoCloseable {

    static final String READINESS_TOPIC = "portcullis-devstack-readiness";

    private final ChildProcess process;
    private final int port;
    private final int controllerPort;

    private KafkaServer(ChildProcess process, int port, int controllerPort) {
        this.process = process;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    public static KafkaServer start(
            Path dir, int port, int controllerPort, Path javaHome, Path logFile, Path pidFile, Duration timeout) {
        try {
            Path logDirs = dir.resolve("data");
            Files.createDirectories(logDirs);
            Path config = dir.resolve("server.properties");
            Files.writeString(config, serverProperties(logDirs, port, controllerPort));
            Path log4j = dir.resolve("log4j2.properties");
            Files.writeString(log4j, """
                    status = warn
                    appender.console.type = Console
                    appender.console.name = STDOUT
                    appender.console.layout.type = PatternLayout
                    appender.console.layout.pattern = [%d] %p %m (%c)%n
                    rootLogger.level = info
                    rootLogger.appenderRef.stdout.ref = STDOUT
                    logger.kafka.name = kafka
                    logger.kafka.level = warn
                    logger.apache.name = org.apache.kafka
                    logger.apache.level = warn
                    logger.started.name = kafka.server.KafkaRaftServer
                    logger.started.level = info
                    """);
            String classpath = Artifacts.kafkaClasspath();
            if (!Files.exists(logDirs.resolve("meta.properties"))) {
                ChildProcess format = ChildProcess.start(
                        "kafka-storage-format",
                        java(
                                javaHome,
                                classpath,
                                log4j,
                                "kafka.tools.StorageTool",
                                "format",
                                "--cluster-id",
                                Uuid.randomUuid().toString(),
                                "--config",
                                config.toString(),
                                "--ignore-formatted"),
                        Map.of(),
                        dir,
                        logFile,
                        null);
                int exit = format.awaitExit(Duration.ofSeconds(60));
                if (exit != 0) {
                    throw new DevStackException("formatting Kafka's storage failed (exit " + exit + "): "
                            + System.lineSeparator() + format.logTail(20));
                }
            }
            ChildProcess broker = ChildProcess.start(
                    "kafka",
                    java(javaHome, classpath, log4j, "kafka.Kafka", config.toString()),
                    Map.of(),
                    dir,
                    logFile,
                    pidFile);
            KafkaServer server = new KafkaServer(broker, port, controllerPort);
            Readiness.await("Kafka on port " + port, broker, port, timeout, server::probe);
            return server;
        } catch (IOException e) {
            throw new DevStackException("could not prepare Kafka in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<String> java(Path javaHome, String classpath, Path log4j, String main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Jdk.javaBinary(javaHome).toString(),
                "-Xms128m",
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dlog4j2.configurationFile=" + log4j.toUri(),
                "-Djava.awt.headless=true",
                "-cp",
                classpath,
                main));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static String serverProperties(Path logDirs, int port, int controllerPort) {
        return """
                # Written by Portcullis dev-stack: one KRaft node that is broker and controller.
                process.roles=broker,controller
                node.id=1
                controller.quorum.voters=1@127.0.0.1:%2$d
                listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
                advertised.listeners=PLAINTEXT://127.0.0.1:%1$d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
                log.dirs=%3$s
                num.partitions=3
                auto.create.topics.enable=true
                offsets.topic.replication.factor=1
                offsets.topic.num.partitions=3
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                group.initial.rebalance.delay.ms=0
                log.retention.hours=168
                """.formatted(port, controllerPort, logDirs.toAbsolutePath());
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The KRaft controller listener's port. */
    public int controllerPort() {
        return controllerPort;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Creates topics that do not exist yet (single replica). */
    public void createTopics(Collection<String> names, int partitions) {
        createTopics(bootstrapServers(), names, partitions);
    }

    public static void createTopics(String bootstrap, Collection<String> names, int partitions) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10000))) {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<NewTopic> missing = names.stream()
                    .filter(n -> !existing.contains(n))
                    .map(n -> new NewTopic(n, partitions, (short) 1))
                    .toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(20, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new DevStackException("could not create Kafka topics " + names + ": " + e.getCause(), e);
            }
        } catch (Exception e) {
            throw new DevStackException("could not create Kafka topics " + names + ": " + e, e);
        }
    }

    /** Readiness: a message produced to a topic and consumed back from it. */
    public void probe() throws Exception {
        probe(bootstrapServers());
    }

    public static void probe(String bootstrap) throws Exception {
        createTopics(bootstrap, List.of(READINESS_TOPIC), 1);
        String marker = "ready-" + UUID.randomUUID();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        long offset;
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            offset = producer.send(new ProducerRecord<>(READINESS_TOPIC, 0, marker, marker))
                    .get(15, TimeUnit.SECONDS)
                    .offset();
        }
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(READINESS_TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (marker.equals(r.value())) {
                        return;
                    }
                }
            }
        }
        throw new DevStackException("Kafka accepted a message but did not deliver it back within 15 s");
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(20));
    }
}
