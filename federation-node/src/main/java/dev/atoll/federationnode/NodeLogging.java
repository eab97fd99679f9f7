package dev.atoll.federationnode;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Process-wide logging of a node started from the command line: everything at INFO and above to
 * {@code <data-dir>/node.log}, WARN and above to the console (stderr). Tests and embedders keep their own
 * logback configuration; {@link NodeMain#start(NodeConfig)} does not touch logging.
 */
public final class NodeLogging {
    private NodeLogging() {
    }

    /** Replaces the root logger's appenders with the file and console appenders described above. */
    public static void configure(Path dataDir) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.setLevel(Level.INFO);

        PatternLayoutEncoder fileEnc = new PatternLayoutEncoder();
        fileEnc.setContext(ctx);
        fileEnc.setPattern("%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n");
        fileEnc.start();
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setContext(ctx);
        file.setName("file");
        file.setFile(dataDir.resolve("node.log").toString());
        file.setAppend(true);
        file.setEncoder(fileEnc);
        file.start();

        PatternLayoutEncoder conEnc = new PatternLayoutEncoder();
        conEnc.setContext(ctx);
        conEnc.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
        conEnc.start();
        ThresholdFilter warn = new ThresholdFilter();
        warn.setLevel("WARN");
        warn.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setName("console");
        console.setTarget("System.err");
        console.setEncoder(conEnc);
        console.addFilter(warn);
        console.start();

        root.addAppender(file);
        root.addAppender(console);
    }
}
