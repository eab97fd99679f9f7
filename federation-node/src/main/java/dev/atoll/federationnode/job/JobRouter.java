package dev.atoll.federationnode.job;

import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.negotiation.JobNotification;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * Sends a SiteAgent's notification ({@link dev.atoll.protocol.negotiation.WorkloadEnded}, {@link EpochCheck}) to a
 * Job entity named by its owner site and entity id, through Cluster Sharding, so that it needs no remembered
 * actor ref and works after a restart of either side. For this node's own data center it uses the local Job
 * sharding (started by {@link JobDirectory#init}); for another site it starts, once per site, a sharding
 * <em>proxy</em> for that site's data center ({@code Entity.withDataCenter(owner)}: no entities are hosted here)
 * and routes through it; messages to an unreachable data center are dropped like any other.
 */
public final class JobRouter {
    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final String selfDataCenter;
    private final Set<String> proxies = ConcurrentHashMap.newKeySet();

    /** @param system the node's actor system (a cluster member; its data center is its site id) */
    public JobRouter(ActorSystem<?> system) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.selfDataCenter = org.apache.pekko.cluster.Cluster.get(
                org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system)).selfDataCenter();
    }

    /**
     * Tells {@code notification} to Job entity {@code entity} of site {@code owner}.
     *
     * @throws NullPointerException if an argument is null
     */
    public void tell(SiteId owner, String entity, JobNotification notification) {
        java.util.Objects.requireNonNull(owner, "owner");
        java.util.Objects.requireNonNull(entity, "entity");
        Job.Notify msg = new Job.Notify(java.util.Objects.requireNonNull(notification, "notification"));
        if (owner.value().equals(selfDataCenter)) {
            sharding.entityRefFor(JobDirectory.typeKey(owner), entity).tell(msg);
            return;
        }
        if (proxies.add(owner.value())) {
            sharding.init(Entity.of(JobDirectory.typeKey(owner), ctx -> Behaviors.<Job.Command>empty())
                    .withDataCenter(owner.value()));
        }
        sharding.entityRefFor(JobDirectory.typeKey(owner), entity, owner.value()).tell(msg);
    }

    /** @return the actor system this router sends from */
    public ActorSystem<?> system() {
        return system;
    }
}
