package dev.atoll.placement;

import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.HoldCreated;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The real-data fill: one site built from the openb GPU node list, filled with the openb default pod list in
 * arrival order, per packing policy.
 *
 * <p>Rule ("keep going and count"): every GPU task is tried once, in creation-time order, and nothing ever
 * departs; a task that does not fit is counted as failed and skipped, and the next one is tried. The figure
 * is the share of the site's GPU capacity allocated after the last task (thousandths of devices allocated /
 * capacity x 1000). Also reported: the share at the first failure, tasks placed and failed, and devices
 * touched (with any allocation).
 *
 * <p>Run as a main to print the markdown table for docs/placement.md.
 */
final class OpenbFill {
    /** One policy's outcome. */
    record Outcome(String policy, double allocatedShare, double shareAtFirstFailure, int firstFailureIndex,
                   int placed, int failed, int devicesTouched, int capacity, long millis) {
    }

    private OpenbFill() {
    }

    static Outcome run(SiteSpec spec, List<OpenbData.Task> tasks, PackingPolicy policy) {
        long t0 = System.nanoTime();
        SiteLedger ledger = new SiteLedger(spec);
        long capacityMilli = spec.deviceCount() * 1000L;
        long allocatedMilli = 0;
        int placed = 0;
        int failed = 0;
        int firstFailure = -1;
        double shareAtFirstFailure = Double.NaN;
        for (int i = 0; i < tasks.size(); i++) {
            OpenbData.Task t = tasks.get(i);
            PlacementResult r = ledger.find(t.spec(), policy);
            if (r instanceof PlacementResult.Fit fit) {
                HoldId h = HoldId.of("h" + i);
                ledger.apply(new HoldCreated(h, t.spec().id(), 1, fit.placement(), Long.MAX_VALUE));
                ledger.apply(new AllocationCommitted(h, t.spec().id(), 1, t.creationSeconds() * 1000, Long.MAX_VALUE));
                for (NodeShare s : fit.placement().shares()) {
                    allocatedMilli += (long) s.milli() * s.deviceCount();
                }
                placed++;
            } else {
                if (firstFailure < 0) {
                    firstFailure = i;
                    shareAtFirstFailure = allocatedMilli / (double) capacityMilli;
                }
                failed++;
            }
        }
        ledger.checkInvariants();
        return new Outcome(policy.name(), allocatedMilli / (double) capacityMilli, shareAtFirstFailure, firstFailure,
                placed, failed, ledger.usedDevices(), spec.deviceCount(), (System.nanoTime() - t0) / 1_000_000);
    }

    static List<Outcome> runAll(Path dir) {
        return runAll(dir, OpenbData.PODS);
    }

    /** The registered policies ({@link PackingPolicy#names()}) only. */
    static List<Outcome> runRegistered(Path dir, String podFile) {
        SiteSpec spec = OpenbData.site(dir);
        List<OpenbData.Task> tasks = OpenbData.tasks(dir, podFile);
        List<Outcome> out = new ArrayList<>();
        for (String name : PackingPolicy.names()) {
            out.add(run(spec, tasks, PackingPolicy.byName(name)));
        }
        return out;
    }

    /**
     * The registered policies plus fgd against the file's own task mix.
     *
     * @param podFile a pod list in {@code dir}, e.g. {@code openb_pod_list_multigpu50.csv}
     */
    static List<Outcome> runAll(Path dir, String podFile) {
        SiteSpec spec = OpenbData.site(dir);
        List<OpenbData.Task> tasks = OpenbData.tasks(dir, podFile);
        List<Outcome> out = runRegistered(dir, podFile);
        // fgd against the file's own task mix (shapes and model constraints), the paper's setting.
        List<dev.atoll.protocol.JobSpec> specs = new ArrayList<>();
        for (OpenbData.Task t : tasks) {
            specs.add(t.spec());
        }
        Outcome own = run(spec, tasks, new FragmentationGradientDescent(WorkloadMix.of(specs)));
        out.add(new Outcome("fgd (trace mix)", own.allocatedShare(), own.shareAtFirstFailure(),
                own.firstFailureIndex(), own.placed(), own.failed(), own.devicesTouched(), own.capacity(),
                own.millis()));
        return out;
    }

    static String table(List<Outcome> outcomes) {
        StringBuilder sb = new StringBuilder();
        sb.append("| policy | GPU share allocated | share at first failure | first failure (task #) | placed | failed"
                + " | devices touched | run time |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (Outcome o : outcomes) {
            sb.append(String.format(Locale.ROOT, "| %s | %.2f%% | %.2f%% | %d | %d | %d | %d / %d | %d ms |%n",
                    o.policy(), 100 * o.allocatedShare(), 100 * o.shareAtFirstFailure(), o.firstFailureIndex(),
                    o.placed(), o.failed(), o.devicesTouched(), o.capacity(), o.millis()));
        }
        return sb.toString();
    }

    /**
     * Prints the table; args[0] is the data root (the directory holding alibaba-gpu-v2023), optional args[1]
     * another pod list of the same trace (default {@code openb_pod_list_default.csv}).
     */
    public static void main(String[] args) {
        if (args.length > 0) {
            System.setProperty("atoll.data", args[0]);
        }
        Path dir = OpenbData.locate().orElseThrow(() -> new IllegalStateException(OpenbData.missingReason()));
        System.out.print(table(runAll(dir, args.length > 1 ? args[1] : OpenbData.PODS)));
    }
}
