package dev.atoll.simulator.topology;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Splits one fleet into sites, deterministically.
 *
 * <p>The rule: nodes with 0 devices are skipped. Within each accelerator model, the nodes in file
 * order are dealt round-robin to the sites: the k-th node (0-based) of model M goes to site
 * {@code k mod n}, so every site gets about 1/n of every model (sites earlier in the list get the
 * extra node when a model does not divide evenly). At each site, nodes of one model with the same
 * device count form one {@link PoolSpec}; pools are sorted by model name, then devices per node.
 * Each pool gets memory per device from {@link #defaultMemoryGiB(AcceleratorModel)}, price 1.0 per
 * device-hour and speed 1.0.
 */
public final class FleetSplitter {
    /** Region used by {@link #split(List, List)}. */
    public static final String DEFAULT_REGION = "default";

    private static final Map<String, Integer> MEMORY_GIB = Map.ofEntries(
            Map.entry("P100", 16), Map.entry("V100M16", 16), Map.entry("V100M32", 32), Map.entry("V100", 32),
            Map.entry("T4", 16), Map.entry("A10", 24), Map.entry("A30", 24), Map.entry("A40", 48),
            Map.entry("L4", 24), Map.entry("L40S", 48),
            Map.entry("A100-40GB", 40), Map.entry("A100-80GB", 80), Map.entry("A100-SXM4-80GB", 80),
            Map.entry("A800-SXM4-80GB", 80), Map.entry("A800", 80), Map.entry("H100", 80), Map.entry("H800", 80),
            Map.entry("H20", 96), Map.entry("H200", 141), Map.entry("Ascend-910B", 64));

    private FleetSplitter() {
    }

    /**
     * @return memory per device in GiB for well-known models (e.g. {@code H800} 80, {@code T4} 16,
     *     {@code V100M32} 32); 0 for unknown or undisclosed models such as openb's {@code G2}
     */
    public static int defaultMemoryGiB(AcceleratorModel model) {
        return MEMORY_GIB.getOrDefault(model.name(), 0);
    }

    /** {@link #split(List, List, String)} with region {@value #DEFAULT_REGION}. */
    public static List<SiteSpec> split(List<FleetNode> nodes, List<String> siteIds) {
        return split(nodes, siteIds, DEFAULT_REGION);
    }

    /**
     * Splits {@code nodes} into {@code siteIds.size()} sites by the rule in the class comment.
     *
     * @param nodes fleet nodes in file order
     * @param siteIds site ids, distinct, at least one
     * @param region the region of every site
     * @return one spec per site id, in the order given
     * @throws IllegalArgumentException if siteIds is empty or has duplicates or invalid ids, or if a site
     *     would get no node with devices (too many sites for the fleet); the message names the site
     */
    public static List<SiteSpec> split(List<FleetNode> nodes, List<String> siteIds, String region) {
        return assign(nodes, siteIds, region).stream().map(SiteFleet::spec).toList();
    }

    /**
     * As {@link #split(List, List, String)}, also returning which physical node became which site node.
     *
     * @throws IllegalArgumentException as {@link #split(List, List, String)}
     */
    public static List<SiteFleet> assign(List<FleetNode> nodes, List<String> siteIds, String region) {
        if (siteIds == null || siteIds.isEmpty()) {
            throw new IllegalArgumentException("siteIds must name at least one site, got " + siteIds);
        }
        Set<String> seen = new HashSet<>();
        for (String s : siteIds) {
            SiteId.of(s);
            if (!seen.add(s)) {
                throw new IllegalArgumentException("siteIds has duplicate site id '" + s + "'");
            }
        }
        int n = siteIds.size();
        // per site: (model, devicesPerNode) -> nodes, sorted by model then size
        List<Map<AcceleratorModel, TreeMap<Integer, List<FleetNode>>>> perSite = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            perSite.add(new TreeMap<>());
        }
        Map<AcceleratorModel, Integer> dealt = new LinkedHashMap<>();
        for (FleetNode node : nodes) {
            if (node.devices() == 0) {
                continue;
            }
            int k = dealt.merge(node.model(), 1, Integer::sum) - 1;
            perSite.get(k % n).computeIfAbsent(node.model(), m -> new TreeMap<>())
                    .computeIfAbsent(node.devices(), d -> new ArrayList<>()).add(node);
        }
        List<SiteFleet> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<PoolSpec> pools = new ArrayList<>();
            List<FleetNode> ordered = new ArrayList<>();
            for (Map.Entry<AcceleratorModel, TreeMap<Integer, List<FleetNode>>> byModel : perSite.get(i).entrySet()) {
                for (Map.Entry<Integer, List<FleetNode>> bySize : byModel.getValue().entrySet()) {
                    AcceleratorModel m = byModel.getKey();
                    pools.add(new PoolSpec(m, bySize.getValue().size(), bySize.getKey(), defaultMemoryGiB(m), 1.0, 1.0));
                    ordered.addAll(bySize.getValue());
                }
            }
            if (pools.isEmpty()) {
                throw new IllegalArgumentException("site '" + siteIds.get(i) + "' gets no node with devices: "
                        + n + " sites for a fleet whose largest model has " + dealt.values().stream()
                        .mapToInt(Integer::intValue).max().orElse(0) + " nodes");
            }
            out.add(new SiteFleet(new SiteSpec(SiteId.of(siteIds.get(i)), region, pools), ordered));
        }
        return out;
    }

    /** @return site ids {@code site-a, site-b, ...} ({@code site-27} onwards past z) for {@code n >= 1} sites */
    public static List<String> defaultSiteIds(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("sites must be >= 1, got " + n);
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(i < 26 ? "site-" + (char) ('a' + i) : "site-" + (i + 1));
        }
        return ids;
    }
}
