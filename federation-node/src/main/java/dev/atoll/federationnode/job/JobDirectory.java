package dev.atoll.federationnode.job;

import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.negotiation.JobNotification;
import dev.atoll.siteregistry.SiteRegistry;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The Job entities of one site: Cluster Sharding within the site's data center (the origin site owns its
 * jobs). The entity type name is {@code Job-<site>} rather than plain {@code Job} so that the sharding
 * coordinator's and the remembered entities' persistence ids of different sites never collide in the shared
 * journal; each job's own persistence id is {@code Job|<id>}.
 */
public final class JobDirectory {
    private final ClusterSharding sharding;
    private final EntityTypeKey<Job.Command> typeKey;

    private JobDirectory(ClusterSharding sharding, EntityTypeKey<Job.Command> typeKey) {
        this.sharding = sharding;
        this.typeKey = typeKey;
    }

    /** @return the entity type key of {@code site}'s jobs, named {@code Job-<site>} */
    public static EntityTypeKey<Job.Command> typeKey(SiteId site) {
        return EntityTypeKey.create(Job.Command.class, "Job-" + site.value());
    }

    /**
     * Starts the site's Job sharding on this node (call once per node).
     *
     * @param notifier the node's {@link JobNotifier}
     */
    public static JobDirectory init(ActorSystem<?> system, SiteId site, ActorRef<SiteRegistry.Command> registry,
                                    ActorRef<JobNotification> notifier, Job.Settings settings) {
        ClusterSharding sharding = ClusterSharding.get(system);
        EntityTypeKey<Job.Command> key = typeKey(site);
        sharding.init(Entity.of(key, ctx -> Job.create(ctx, site, registry, notifier, settings)));
        return new JobDirectory(sharding, key);
    }

    /** @return the entity ref of job {@code id} (created on first message) */
    public EntityRef<Job.Command> job(String id) {
        return sharding.entityRefFor(typeKey, id);
    }

    /** @return the entity type key */
    public EntityTypeKey<Job.Command> typeKey() {
        return typeKey;
    }
}
