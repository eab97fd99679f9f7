package dev.atoll.federationnode.site;

import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.SiteId;
import java.util.List;

/**
 * An immutable copy of a site's ledger.
 *
 * @param site the site
 * @param version events applied to the ledger so far
 * @param holds live holds
 * @param allocations live allocations, in commit order
 */
public record LedgerView(SiteId site, long version, int holds, List<AllocationView> allocations)
        implements AtollSerializable {
    public LedgerView {
        allocations = List.copyOf(allocations);
    }

    /**
     * One running workload.
     *
     * @param model accelerator model name
     * @param nodes per node, the devices and the share of each (thousandths)
     * @param startedAtMillis start, epoch ms
     * @param endsAtMillis expected end on the simulated executor, epoch ms
     */
    public record AllocationView(JobId job, long epoch, String model, List<NodeShare> nodes, long startedAtMillis,
                                 long endsAtMillis) implements AtollSerializable {
        public AllocationView {
            nodes = List.copyOf(nodes);
        }
    }
}
