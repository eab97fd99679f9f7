package dev.atoll.placement.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Placement decisions per second on a 50-site, 100,000-device federation with 10,000 pending requests, per
 * packing policy (see {@link Federation} for what one decision is). Not a test: surefire never runs it.
 *
 * <p>Run (from the repository root):
 * <pre>
 * ./mvnw -B -q -o install -pl placement -am -DskipTests
 * ./mvnw -B -q -o -pl placement dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/placement.cp
 * java -cp placement/target/test-classes:placement/target/classes:$(cat /tmp/placement.cp) \
 *      dev.atoll.placement.bench.PlacementBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class PlacementBenchmark {
    @Param({"first-fit", "best-fit", "fgd"})
    public String policy;

    private Federation federation;

    @Setup(Level.Trial)
    public void setUp() {
        federation = new Federation(policy, 0.85, 42);
        federation.warm();
    }

    /** @return 1 on a fit (consumed by JMH so the decision is not optimised away) */
    @Benchmark
    public int decide() {
        return federation.decide();
    }

    /**
     * Runs the benchmark for every policy. Arguments are JMH's own (e.g. {@code -wi 1 -i 3 -p policy=fgd});
     * without any, the annotations' settings apply.
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            Options opt = new OptionsBuilder().include(PlacementBenchmark.class.getName()).build();
            new Runner(opt).run();
            return;
        }
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = PlacementBenchmark.class.getName();
        org.openjdk.jmh.Main.main(all);
    }
}
