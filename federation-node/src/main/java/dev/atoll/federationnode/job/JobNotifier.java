package dev.atoll.federationnode.job;

import dev.atoll.protocol.negotiation.JobNotification;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * A stable, per-node address for SiteAgents' notifications ({@code Award.notifyTo}): it forwards each
 * {@link WorkloadEnded} and {@link EpochCheck} to the Job entity through sharding, so the notification reaches the Job even when
 * the entity has moved or restarted since the award.
 */
public final class JobNotifier {
    private JobNotifier() {
    }

    /** @return the forwarding behaviour for jobs of {@code typeKey} */
    public static Behavior<JobNotification> create(ClusterSharding sharding, EntityTypeKey<Job.Command> typeKey) {
        return Behaviors.receive(JobNotification.class)
                .onMessage(WorkloadEnded.class, e -> {
                    sharding.entityRefFor(typeKey, e.job().value()).tell(new Job.Notify(e));
                    return Behaviors.same();
                })
                .onMessage(EpochCheck.class, c -> {
                    sharding.entityRefFor(typeKey, c.job().value()).tell(new Job.Notify(c));
                    return Behaviors.same();
                })
                .build();
    }
}
