package dev.atoll.federationnode.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.federationnode.cli.AtollClient;
import dev.atoll.protocol.SiteSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A federation of node processes on this machine, one per site, on loopback with free ports. Writes each
 * site's file ({@code <site>.conf}), data directory and log ({@code <site>.log}) into the run directory,
 * with one shared H2 journal file there, which this process opens first and so serves to the nodes.
 * {@link #close()} stops every node and waits until they are gone.
 */
public final class LocalFederation implements AutoCloseable {
    /** Default main class of a node process. */
    public static final String NODE_MAIN = "dev.atoll.federationnode.NodeMain";
    /** Loopback address every demo node binds to. */
    public static final String HOST = "127.0.0.1";

    private final List<SiteSpec> sites;
    private final List<NodeEndpoint> endpoints;
    private final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();
    private final Path runDir;
    private final List<Path> siteFiles;
    private final String classpath;
    private final List<String> jvmOptions;
    private final String mainClass;
    private final Path h2File;
    /** Set by {@link #close()}; guarded by {@code this}. No node is started after it. */
    private boolean closed;
    /** The demo's own connection to the shared H2 journal while nodes run; guarded by {@code this}. */
    private java.sql.Connection journalOwner;

    private LocalFederation(List<SiteSpec> sites, List<NodeEndpoint> endpoints, Path runDir, List<Path> siteFiles,
                            String classpath, List<String> jvmOptions, String mainClass, Path h2File) {
        this.h2File = h2File;
        this.sites = List.copyOf(sites);
        this.endpoints = List.copyOf(endpoints);
        this.runDir = runDir;
        this.siteFiles = List.copyOf(siteFiles);
        this.classpath = classpath;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.mainClass = mainClass;
    }

    /**
     * Picks the ports and writes the site files, starting no process yet: register {@link #close()} (e.g. in
     * a shutdown hook) on the returned object first, then call {@link #startNodes()}, so that a signal at any
     * moment stops every node that was started.
     *
     * @param sites the sites
     * @param runDir fresh run directory (site files, data directories, logs and the H2 journal go there)
     * @param speedup trace seconds per wall second for the nodes' simulated executors
     * @param classpath class path of the node JVMs
     * @param jvmOptions JVM options of the node JVMs
     * @param mainClass node main class, normally {@link #NODE_MAIN}
     * @return the federation, no node started
     * @throws IOException if a file cannot be written or no free port found
     */
    public static LocalFederation prepare(List<SiteSpec> sites, Path runDir, double speedup, String classpath,
                                          List<String> jvmOptions, String mainClass) throws IOException {
        int[] ports = freePorts(2 * sites.size());
        List<NodeEndpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < sites.size(); i++) {
            endpoints.add(new NodeEndpoint(sites.get(i).id().value(), HOST, ports[2 * i], ports[2 * i + 1]));
        }
        Path h2 = runDir.resolve("atoll-journal").toAbsolutePath();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < sites.size(); i++) {
            SiteSpec s = sites.get(i);
            String id = s.id().value();
            files.add(SiteFiles.write(runDir.resolve(id + ".conf"), s, endpoints.get(i), endpoints,
                    runDir.resolve(id).toAbsolutePath(), h2, speedup).toAbsolutePath());
        }
        return new LocalFederation(sites, endpoints, runDir, files, classpath, jvmOptions, mainClass, h2);
    }

    /**
     * Opens the shared H2 journal in this process first (creating its schema) and keeps that connection open
     * until {@link #close()}: in H2's {@code AUTO_SERVER} mode the first process to open the file serves it
     * to the others, so this JVM serves the journal and all nodes connect to it over loopback. Two nodes
     * opening the file at the same moment otherwise race for it and one fails ({@code Lock file recently
     * modified}, seen when the three nodes were started together). Then starts one node JVM per site, all at
     * once. Each process is tracked as soon as it is spawned, so {@link #close()} from another thread (a
     * shutdown hook) stops it; after {@link #close()} no further node is started. If starting fails, the
     * nodes already started are stopped before the exception propagates.
     *
     * @throws IOException if a JVM cannot be started
     * @throws IllegalStateException if the journal cannot be opened, or {@link #close()} was called before
     *     or during the start
     */
    public void startNodes() throws IOException {
        try {
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("demo stopping: no node started");
                }
                try {
                    journalOwner = java.sql.DriverManager.getConnection(dev.atoll.federationnode.H2Schema.url(h2File),
                            "sa", "");
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException("cannot open the demo journal "
                            + dev.atoll.federationnode.H2Schema.url(h2File) + ": " + e.getMessage(), e);
                }
                dev.atoll.federationnode.H2Schema.ensure(h2File);
            }
            for (int i = 0; i < sites.size(); i++) {
                String id = sites.get(i).id().value();
                synchronized (this) {
                    if (closed) {
                        throw new IllegalStateException("demo stopping: node " + id + " not started");
                    }
                    nodes.add(NodeProcess.start(id, classpath, jvmOptions, mainClass, siteFiles.get(i),
                            runDir.resolve(id + ".log"), runDir));
                }
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * {@link #prepare} then {@link #startNodes()}.
     *
     * @return the running federation (nodes may still be starting; see {@link #awaitUp})
     * @throws IOException if a file cannot be written or a JVM cannot be started
     */
    public static LocalFederation start(List<SiteSpec> sites, Path runDir, double speedup, String classpath,
                                        List<String> jvmOptions, String mainClass) throws IOException {
        LocalFederation f = prepare(sites, runDir, speedup, classpath, jvmOptions, mainClass);
        f.startNodes();
        return f;
    }

    /**
     * Picks {@code n} distinct free TCP ports on loopback (bound together, then released).
     *
     * @throws IOException if the ports cannot be bound
     */
    public static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST));
                s.setReuseAddress(true);
                sockets.add(s);
                out[i] = s.getLocalPort();
            }
            return out;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    /**
     * Waits until every node printed its "up" line.
     *
     * @param timeout for all nodes together
     * @throws IllegalStateException naming the node, its log and last lines if one exits or is late
     */
    public void awaitUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (NodeProcess n : nodes) {
            n.awaitUp(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
    }

    /**
     * Waits until {@code GET /v1/sites} on every node lists every site.
     *
     * @param timeout for all nodes together
     * @param err where to print what is still missing if it takes more than a few seconds (may be null)
     * @throws IllegalStateException naming the node and the sites it does not see on timeout, or a node
     *     that exited
     */
    public void awaitConvergence(Duration timeout, PrintWriter err) throws InterruptedException {
        Set<String> all = sites.stream().map(s -> s.id().value()).collect(Collectors.toCollection(TreeSet::new));
        HttpClient http = AtollClient.newHttpClient();
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long nextReport = start + Duration.ofSeconds(10).toNanos();
        while (true) {
            StringBuilder missing = new StringBuilder();
            for (NodeEndpoint e : endpoints) {
                checkAlive();
                Set<String> seen = new TreeSet<>();
                String problem = null;
                try {
                    AtollClient c = new AtollClient(e.url(), http, Duration.ofSeconds(3));
                    AtollClient.Response r = c.await(c.sitesAsync());
                    if (r.ok() && r.body().isArray()) {
                        for (JsonNode s : r.body()) {
                            if (s.path("reachable").asBoolean(true)) {
                                seen.add(s.path("site").asText());
                            }
                        }
                    } else {
                        problem = "GET /v1/sites returned " + r.status();
                    }
                } catch (IOException ex) {
                    problem = ex.getMessage();
                }
                if (problem != null || !seen.containsAll(all)) {
                    Set<String> lacking = new TreeSet<>(all);
                    lacking.removeAll(seen);
                    missing.append(missing.length() > 0 ? "; " : "").append(e.site()).append(" at ").append(e.url())
                            .append(problem != null ? ": " + problem : " sees " + seen + ", not " + lacking);
                }
            }
            if (missing.length() == 0) {
                return;
            }
            long now = System.nanoTime();
            if (now > deadline) {
                throw new IllegalStateException("sites did not converge within " + timeout.toSeconds() + " s: "
                        + missing + " (logs in " + runDir + ")");
            }
            if (err != null && now > nextReport) {
                err.println("demo: waiting for convergence: " + missing);
                err.flush();
                nextReport = now + Duration.ofSeconds(10).toNanos();
            }
            Thread.sleep(250);
        }
    }

    private void checkAlive() {
        for (NodeProcess n : nodes) {
            if (!n.isAlive()) {
                throw new IllegalStateException("node " + n.site() + " exited; log " + n.logFile() + n.lastLines());
            }
        }
    }

    /** @return where each node listens, in site order */
    public List<NodeEndpoint> endpoints() {
        return endpoints;
    }

    /** @return the node processes, in site order */
    public List<NodeProcess> nodes() {
        return List.copyOf(nodes);
    }

    /** @return process ids of the nodes started */
    public List<Long> pids() {
        return nodes.stream().map(NodeProcess::pid).toList();
    }

    /**
     * Stops every node: SIGTERM to all at once, up to 15 s grace each, then SIGKILL; returns when all are
     * gone, then closes this process's connection to the journal. Safe to call more than once and from a
     * shutdown hook.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        for (NodeProcess n : nodes) {
            n.requestStop();
        }
        for (NodeProcess n : nodes) {
            n.stop(Duration.ofSeconds(15));
        }
        synchronized (this) {
            if (journalOwner != null) {
                try {
                    journalOwner.close();
                } catch (java.sql.SQLException e) {
                    // the nodes are gone; nothing is lost by a failed close
                }
                journalOwner = null;
            }
        }
    }
}
