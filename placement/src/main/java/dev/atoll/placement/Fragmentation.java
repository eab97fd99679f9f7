package dev.atoll.placement;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.ModelSet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Fragmentation as DESIGN.md defines it: <b>free devices (no allocation or hold at all) that no pending
 * request can use</b>. Counted in devices, per site or per accelerator model.
 *
 * <p>A free device on node {@code n} counts as usable when at least one pending request could take it
 * under the packing rules of {@link AbstractPackingPolicy}:
 * <ul>
 *   <li>the request accepts the node's model;
 *   <li>a fractional request ({@code gpuMilli < 1000}) can use any free device;
 *   <li>a request of at most one node's devices ({@code devices <= devicesPerNode}) can use the node when
 *       the node has at least {@code devices} free devices (it would go on one node);
 *   <li>a whole-node gang can use a fully free node whose size divides {@code devices}, when the site has
 *       enough fully free nodes of that model and size for the whole gang;
 *   <li>a larger partial-node request can use a fully free node, or a node holding at least its
 *       remainder ({@code devices mod devicesPerNode}), when the model's free devices cover the request.
 * </ul>
 * Everything else that is free is fragmented. With no pending request the answer is 0 (there is no mix to
 * measure against). Partly shared devices are not free and never count.
 *
 * <p>This is the deterministic, device-count measure used in adverts and the scenario tests; the
 * expected, share-weighted measure that drives packing is in {@link FragmentationGradientDescent}.
 */
public final class Fragmentation {
    private Fragmentation() {
    }

    /**
     * @param site one site's current state
     * @param pending the requests waiting now (duplicates of the same shape are fine)
     * @return fragmented free devices over the whole site, 0..free devices
     */
    public static int of(SiteView site, List<JobSpec> pending) {
        int total = 0;
        for (int v : byModel(site, pending).values()) {
            total += v;
        }
        return total;
    }

    /**
     * @return fragmented free devices of {@code model} at the site (0 if the site has none of it)
     */
    public static int of(SiteView site, List<JobSpec> pending, AcceleratorModel model) {
        return byModel(site, pending).getOrDefault(model, 0);
    }

    /**
     * @return per accelerator model present at the site (sorted by name), fragmented free devices
     */
    public static Map<AcceleratorModel, Integer> byModel(SiteView site, List<JobSpec> pending) {
        Map<AcceleratorModel, Integer> out = new TreeMap<>();
        int nodes = site.nodeCount();
        for (int n = 0; n < nodes; n++) {
            out.putIfAbsent(site.model(n), 0);
        }
        if (pending == null || pending.isEmpty()) {
            return out;
        }
        List<Shape> shapes = shapes(pending);
        // Per (model, node size): free devices and fully free nodes, for the site-wide gang checks.
        Map<String, int[]> totals = new TreeMap<>();
        for (int n = 0; n < nodes; n++) {
            int[] t = totals.computeIfAbsent(key(site.model(n), site.devicesPerNode(n)), k -> new int[2]);
            t[0] += site.freeDevices(n);
            if (site.freeDevices(n) == site.devicesPerNode(n)) {
                t[1]++;
            }
        }
        for (int n = 0; n < nodes; n++) {
            int free = site.freeDevices(n);
            if (free == 0) {
                continue;
            }
            AcceleratorModel model = site.model(n);
            int dpn = site.devicesPerNode(n);
            int[] t = totals.get(key(model, dpn));
            boolean usable = false;
            for (Shape s : shapes) {
                if (s.models.accepts(model) && canUse(s, free, dpn, t[0], t[1])) {
                    usable = true;
                    break;
                }
            }
            if (!usable) {
                out.merge(model, free, Integer::sum);
            }
        }
        return out;
    }

    private static boolean canUse(Shape s, int free, int dpn, int modelFree, int modelWholeFree) {
        if (s.milli < 1000) {
            return true;
        }
        if (s.wholeNodes) {
            return free == dpn && s.devices % dpn == 0 && modelWholeFree >= s.devices / dpn;
        }
        if (s.devices <= dpn) {
            return free >= s.devices;
        }
        int rem = s.devices % dpn;
        return (free == dpn || (rem > 0 && free >= rem)) && modelFree >= s.devices;
    }

    private static String key(AcceleratorModel m, int dpn) {
        return m.name() + '/' + dpn;
    }

    private record Shape(int devices, int milli, boolean wholeNodes, ModelSet models) {
    }

    private static List<Shape> shapes(List<JobSpec> pending) {
        Set<Shape> set = new LinkedHashSet<>();
        for (JobSpec j : pending) {
            set.add(new Shape(j.devices(), j.gpuMilli(), j.wholeNodes(), j.models()));
        }
        return new ArrayList<>(set);
    }
}
