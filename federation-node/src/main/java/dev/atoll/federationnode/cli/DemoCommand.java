package dev.atoll.federationnode.cli;

import dev.atoll.federationnode.demo.DemoOptions;
import dev.atoll.federationnode.demo.DemoRunner;
import dev.atoll.federationnode.demo.LocalFederation;
import dev.atoll.federationnode.demo.WorkloadGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code atoll demo}: a three-site federation on this machine, a workload replayed through it, a summary. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Start three Atoll nodes (one per site) as separate JVMs on loopback, wait until they see each "
                + "other, replay a workload through their HTTP APIs (round-robin), stop them and print a summary.",
                "Without --nodes/--trace it uses a built-in seeded workload (600 tasks, three synthetic sites).",
                "The last line is: demo: placed P of S submitted tasks (R rejected) in T s"})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "<csv>",
            description = "openb node list (e.g. openb_node_list_gpu_node.csv), split into three sites; needs --trace.")
    Path nodes;

    @Option(names = "--trace", paramLabel = "<csv>",
            description = "openb pod list (e.g. openb_pod_list_default.csv) to replay; needs --nodes.")
    Path trace;

    @Option(names = "--seed", paramLabel = "<n>", defaultValue = "" + WorkloadGenerator.DEFAULT_SEED,
            description = "Seed of the built-in workload (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--tasks", paramLabel = "<n>", defaultValue = "" + WorkloadGenerator.DEFAULT_TASKS,
            description = "Tasks of the built-in workload (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--speedup", paramLabel = "<x>",
            description = "Trace seconds per wall second (default: arrival span / "
                    + "40 s for a trace, / 30 s built-in).")
    Double speedup;

    @Option(names = "--limit", paramLabel = "<n>", description = "Replay only the first N tasks (by arrival).")
    Integer limit;

    @Option(names = "--settle-seconds", paramLabel = "<s>", defaultValue = "60",
            description = "After the last submission, poll job states for at most this long (default: ${DEFAULT-VALUE}).")
    double settleSeconds;

    @Option(names = "--keep-running", description = "Leave the nodes running after the summary, until Ctrl-C.")
    boolean keepRunning;

    @Option(names = "--run-dir", paramLabel = "<dir>",
            description = "Run directory for site files, logs and the H2 journal (default: var/demo/<timestamp>).")
    Path runDir;

    @Option(names = "--concurrency", paramLabel = "<n>", defaultValue = "" + DemoOptions.DEFAULT_CONCURRENCY,
            description = "HTTP requests in flight at most (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--up-timeout", paramLabel = "<s>", defaultValue = "180",
            description = "Seconds the nodes get to come up and see each other (default: ${DEFAULT-VALUE}).")
    double upTimeout;

    @Option(names = "--node-jvm-opt", paramLabel = "<opt>",
            description = "JVM option for the node processes, repeatable (default: "
                    + "-Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k).")
    List<String> nodeJvmOptions = new ArrayList<>();

    @Option(names = "--classpath", hidden = true, paramLabel = "<cp>",
            description = "Class path of the node JVMs (default: this JVM's).")
    String classpath;

    @Option(names = "--node-main", hidden = true, paramLabel = "<class>", defaultValue = LocalFederation.NODE_MAIN,
            description = "Main class of the node JVMs.")
    String nodeMain;

    /** The result of the last {@link #call()}, for tests. */
    DemoRunner.Result result;

    /** @return the options this command line describes */
    DemoOptions options() {
        String cp = classpath != null ? classpath : System.getProperty("java.class.path");
        Path home = Path.of(System.getProperty("atoll.home", "."));
        return new DemoOptions(nodes, trace, seed, tasks, speedup, limit, settleSeconds, keepRunning, runDir, home,
                concurrency, upTimeout, cp, nodeMain,
                nodeJvmOptions.isEmpty() ? DemoOptions.DEFAULT_NODE_JVM_OPTIONS : nodeJvmOptions);
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        result = DemoRunner.run(options(), spec.commandLine().getOut(), spec.commandLine().getErr());
        return AtollCli.OK;
    }

    /** @return the result of the last run, null before */
    public DemoRunner.Result result() {
        return result;
    }
}
