package dev.atoll.placement.bench;

import dev.atoll.placement.PackingPolicy;
import dev.atoll.placement.PlacementResult;
import dev.atoll.placement.SiteLedger;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.WorkloadKind;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.HoldCreated;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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

/**
 * Cost of one {@code find} for an inference service (AbstractPackingPolicy rule 7: replica by replica on a
 * what-if view) on one site of 500 nodes x 8 devices of one model, about 60% of the devices taken at random
 * (seed 42), the service {@code replicas} x 1 device, at most 1 per node. Nothing is applied, so every call
 * sees the same ledger. Not a test: surefire never runs it.
 *
 * <p>Run (from the repository root, after building the test classpath as for {@link PlacementBenchmark}):
 * <pre>
 * java -cp placement/target/test-classes:placement/target/classes:$(cat /tmp/placement.cp) \
 *      org.openjdk.jmh.Main dev.atoll.placement.bench.ServicePlacementBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class ServicePlacementBenchmark {
    @Param({"first-fit", "best-fit", "fgd"})
    public String policy;

    @Param({"1", "8", "64"})
    public int replicas;

    private SiteLedger ledger;
    private PackingPolicy packing;
    private JobSpec service;

    @Setup(Level.Trial)
    public void setUp() {
        ledger = new SiteLedger(new SiteSpec(SiteId.of("s"), "r", List.of(PoolSpec.of("G", 500, 8, 80))));
        Random r = new Random(42);
        for (int n = 0; n < 500; n++) {
            int used = r.nextInt(9) > 3 ? 4 + r.nextInt(5) : r.nextInt(4); // about 60% of the devices overall
            if (used == 0) {
                continue;
            }
            List<Integer> devices = new ArrayList<>();
            for (int d = 0; d < used; d++) {
                devices.add(d);
            }
            HoldId h = HoldId.of("h" + n);
            Placement p = new Placement(ledger.site(), ledger.model(n), List.of(new NodeShare(n, devices, 1000)));
            ledger.apply(new HoldCreated(h, JobId.of("bg" + n), 1, p, Long.MAX_VALUE));
            ledger.apply(new AllocationCommitted(h, JobId.of("bg" + n), 1, 0, Long.MAX_VALUE));
        }
        packing = PackingPolicy.byName(policy);
        service = JobSpec.builder("svc", "t").kind(WorkloadKind.INFERENCE).devices(1).replicas(replicas)
                .maxReplicasPerNode(1).models("G").build();
        if (!ledger.find(service, packing).fits()) {
            throw new IllegalStateException("the service must fit: " + ledger.find(service, packing));
        }
    }

    /** @return 1 on a fit (consumed by JMH) */
    @Benchmark
    public int find() {
        PlacementResult res = ledger.find(service, packing);
        return res.fits() ? 1 : 0;
    }
}
