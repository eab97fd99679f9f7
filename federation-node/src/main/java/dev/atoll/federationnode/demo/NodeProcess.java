package dev.atoll.federationnode.demo;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One Atoll node running as a child JVM. Its stdout and stderr go, line by line, to a log file; the line
 * {@code atoll node <site> up: <url>} completes {@link #up()}. {@link #stop(Duration)} ends it: SIGTERM
 * (so the node's shutdown hooks run), a grace period, then SIGKILL; it returns only once the process and
 * any process it started are gone.
 */
public final class NodeProcess {
    private static final int TAIL_LINES = 15;

    private final String site;
    private final Process process;
    private final Path logFile;
    private final CompletableFuture<String> up = new CompletableFuture<>();
    private final Deque<String> tail = new ArrayDeque<>();
    private final Thread pump;

    private NodeProcess(String site, Process process, Path logFile) {
        this.site = site;
        this.process = process;
        this.logFile = logFile;
        this.pump = new Thread(this::pump, "atoll-demo-log-" + site);
        this.pump.setDaemon(true);
        this.pump.start();
    }

    /**
     * Starts {@code java <jvmOptions> -cp <classpath> <mainClass> --site <siteFile>}.
     *
     * @param site site id (to recognise the "up" line)
     * @param classpath class path of the child JVM
     * @param jvmOptions options placed before {@code -cp}, e.g. {@code -Xmx384m}
     * @param mainClass e.g. {@code dev.atoll.federationnode.NodeMain}
     * @param siteFile the site file
     * @param logFile where the child's stdout and stderr go (created or truncated)
     * @param workDir the child's working directory
     * @return the started node
     * @throws IOException if the JVM cannot be started
     */
    public static NodeProcess start(String site, String classpath, List<String> jvmOptions, String mainClass,
                                    Path siteFile, Path logFile, Path workDir) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.add("--site");
        cmd.add(siteFile.toString());
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        return new NodeProcess(site, pb.start(), logFile);
    }

    private void pump() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8)) {
            String prefix = "atoll node " + site + " up:";
            String line;
            while ((line = in.readLine()) != null) {
                log.write(line);
                log.newLine();
                log.flush();
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
                if (!up.isDone() && line.startsWith(prefix)) {
                    up.complete(line.substring(prefix.length()).trim());
                }
            }
        } catch (IOException e) {
            // the stream closes when the process ends; nothing else to do
        } finally {
            if (!up.isDone()) {
                up.completeExceptionally(new IllegalStateException(exitMessage()));
            }
        }
    }

    private String exitMessage() {
        String code;
        try {
            code = process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = "?";
        }
        return "node " + site + " exited with code " + code + " before it was up; log " + logFile
                + lastLines();
    }

    /** @return the last lines the node printed, indented, for error messages ("" if none) */
    public String lastLines() {
        synchronized (tail) {
            if (tail.isEmpty()) {
                return "";
            }
            StringBuilder sb = new StringBuilder("; last lines:");
            for (String l : tail) {
                sb.append("\n    ").append(l);
            }
            return sb.toString();
        }
    }

    /** @return completes with the URL from the node's "up" line; fails if the process ends first */
    public CompletableFuture<String> up() {
        return up;
    }

    /**
     * Waits for the "up" line.
     *
     * @param timeout how long to wait
     * @return the URL the node printed
     * @throws IllegalStateException if the node exits first or does not come up in time (message names the
     *     site, the log file and its last lines)
     */
    public String awaitUp(Duration timeout) throws InterruptedException {
        try {
            return up.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("node " + site + " did not print its up line within "
                    + timeout.toSeconds() + " s; log " + logFile + lastLines());
        }
    }

    /** @return the site id */
    public String site() {
        return site;
    }

    /** @return the child's process id */
    public long pid() {
        return process.pid();
    }

    /** @return the log file */
    public Path logFile() {
        return logFile;
    }

    /** @return true while the child runs */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGTERM to the child (and its descendants), without waiting. */
    public void requestStop() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }

    /**
     * Stops the node: {@link #requestStop()}, waits up to {@code grace}, then kills it and everything it
     * started, and waits until it is gone.
     *
     * @param grace time the node gets to shut down cleanly
     * @return true if it stopped within the grace period, false if it had to be killed
     */
    public boolean stop(Duration grace) {
        List<ProcessHandle> children = process.descendants().toList();
        requestStop();
        boolean clean;
        try {
            clean = process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
            if (!clean) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            for (ProcessHandle c : children) {
                if (c.isAlive()) {
                    c.destroyForcibly();
                    c.onExit().get(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            clean = false;
        } catch (ExecutionException | TimeoutException e) {
            clean = false;
        }
        try {
            pump.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return clean;
    }
}
