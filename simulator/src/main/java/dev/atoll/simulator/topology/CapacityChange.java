package dev.atoll.simulator.topology;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A what-if capacity change: add {@code nodes} nodes of {@code devicesPerNode} devices of {@code model} to
 * {@code site}, written {@code SITE:MODEL:NODESxDEVICES} (e.g. {@code site-b:H800:64x8} adds 512 H800).
 * The new pool takes memory from {@link FleetSplitter#defaultMemoryGiB}, price 1.0 and speed 1.0, and is
 * appended after the site's existing pools (so existing node numbers do not change).
 *
 * @param site site id
 * @param model accelerator model
 * @param nodes nodes to add, 1..100,000
 * @param devicesPerNode devices per node, 1..64
 */
public record CapacityChange(String site, AcceleratorModel model, int nodes, int devicesPerNode) {
    private static final Pattern SYNTAX = Pattern.compile("([^:]+):([^:]+):(\\d+)x(\\d+)");

    /**
     * @throws IllegalArgumentException naming the text if it is not {@code SITE:MODEL:NODESxDEVICES} or a part is out of range
     */
    public static CapacityChange parse(String text) {
        Matcher m = SYNTAX.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("capacity change must be SITE:MODEL:NODESxDEVICES (e.g. site-b:H800:64x8), got '"
                    + text + "'");
        }
        try {
            CapacityChange c = new CapacityChange(m.group(1), AcceleratorModel.of(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)));
            new PoolSpec(c.model, c.nodes, c.devicesPerNode, 0, 1, 1);
            return c;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("capacity change '" + text + "' has a number out of range");
        }
    }

    /**
     * @return {@code sites} with this change applied
     * @throws IllegalArgumentException if no site has this id (the message lists the ids)
     */
    public List<SiteSpec> applyTo(List<SiteSpec> sites) {
        List<SiteSpec> out = new ArrayList<>();
        boolean found = false;
        for (SiteSpec s : sites) {
            if (s.id().value().equals(site)) {
                found = true;
                List<PoolSpec> pools = new ArrayList<>(s.pools());
                pools.add(new PoolSpec(model, nodes, devicesPerNode, FleetSplitter.defaultMemoryGiB(model), 1.0, 1.0));
                out.add(new SiteSpec(s.id(), s.region(), pools));
            } else {
                out.add(s);
            }
        }
        if (!found) {
            throw new IllegalArgumentException("capacity change names unknown site '" + site + "'; sites are "
                    + sites.stream().map(x -> x.id().value()).toList());
        }
        return out;
    }

    @Override
    public String toString() {
        return site + ":" + model + ":" + nodes + "x" + devicesPerNode;
    }
}
