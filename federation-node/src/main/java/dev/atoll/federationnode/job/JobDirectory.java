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
 * journal; each job's own persistence id is {@code Job|<entity id>}: {@code Job|<id>} for a job submitted here,
 * {@code Job|<id>|a<n>} for a job this site adopted from a lost owner (see {@link Adopter}).
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

    /** Separates a job id from its adoption generation in an adopted Job's entity id ({@code <job>|a<n>}). */
    public static final String ADOPTED_MARK = "|a";

    /**
     * @return the job id of entity {@code entityId}: itself for an origin's Job, the part before {@code |a<n>}
     *     for an adopted one (job ids cannot contain {@code |})
     */
    public static String jobIdOf(String entityId) {
        int i = entityId.indexOf(ADOPTED_MARK);
        return i < 0 ? entityId : entityId.substring(0, i);
    }

    /**
     * @return the adoption generation of entity {@code entityId}: 0 for an origin's Job, n for {@code <job>|a<n>}
     * @throws IllegalArgumentException if the part after {@code |a} is not a positive number
     */
    public static int generationOf(String entityId) {
        int i = entityId.indexOf(ADOPTED_MARK);
        if (i < 0) {
            return 0;
        }
        String n = entityId.substring(i + ADOPTED_MARK.length());
        try {
            int g = Integer.parseInt(n);
            if (g >= 1) {
                return g;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("entity id " + entityId + ": adoption generation '" + n
                + "' is not a positive number");
    }

    /** @return the entity id of generation {@code generation} (&gt;= 1) of an adopted job: {@code <job>|a<n>} */
    public static String adoptedEntityId(String jobId, int generation) {
        if (generation < 1) {
            throw new IllegalArgumentException("adoption generation must be >= 1, got " + generation);
        }
        return jobId + ADOPTED_MARK + generation;
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
