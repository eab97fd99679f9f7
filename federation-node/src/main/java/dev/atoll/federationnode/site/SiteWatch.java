package dev.atoll.federationnode.site;

import dev.atoll.protocol.AtollSerializable;
import dev.atoll.siteregistry.SiteRegistry;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Persists when other sites became unreachable, as this node saw it, so that a restart does not restart the
 * lost timer ({@code atoll.registry.lost-after}). One per node (persistence id
 * {@code SiteWatch|<site>|<host>:<port>}: one writer per id, and a node keeps its address across restarts).
 *
 * <p>It registers with the node's {@link SiteRegistry} ({@link SiteRegistry.Watch}); the registry reports the
 * start and end of every unreachable spell. A start persists {@link SiteUnreachable} unless a spell of that
 * site is already recorded (then the recorded, earlier start is given back to the registry); an end persists
 * {@link SiteReachable}. After recovery every recorded spell is given back
 * ({@link SiteRegistry.RestoreUnreachableSince}).
 */
public final class SiteWatch extends EventSourcedBehavior<SiteRegistry.ReachabilityChange, SiteWatch.Event,
        SiteWatch.State> {

    /** Events of the watch (Kryo 1150..1152). */
    public sealed interface Event extends AtollSerializable permits SiteUnreachable, SiteReachable {
    }

    /**
     * Site {@code site} became unreachable at {@code sinceMillis} (epoch ms).
     */
    public record SiteUnreachable(String site, long sinceMillis) implements Event {
    }

    /**
     * Site {@code site} has been reachable again since {@code atMillis} (epoch ms); its spell is closed.
     */
    public record SiteReachable(String site, long atMillis) implements Event {
    }

    /**
     * The open spells: site id -&gt; epoch ms when it became unreachable.
     *
     * @param since open spells, sorted by site id
     */
    public record State(Map<String, Long> since) {
        /** @return the state after {@code e} */
        State apply(Event e) {
            Map<String, Long> next = new TreeMap<>(since);
            if (e instanceof SiteUnreachable u) {
                next.merge(u.site(), u.sinceMillis(), Math::min);
            } else if (e instanceof SiteReachable r) {
                next.remove(r.site());
            }
            return new State(Map.copyOf(next));
        }
    }

    /**
     * @param persistenceKey {@code <site>|<host>:<port>} of this node
     * @param registry the node's registry
     * @return the watch, restarted with backoff if its journal fails
     */
    public static Behavior<SiteRegistry.ReachabilityChange> create(String persistenceKey,
                                                                  ActorRef<SiteRegistry.Command> registry) {
        return Behaviors.<SiteRegistry.ReachabilityChange>supervise(Behaviors.setup(ctx -> {
            registry.tell(new SiteRegistry.Watch(ctx.getSelf()));
            return new SiteWatch(persistenceKey, registry);
        })).onFailure(SupervisorStrategy.restartWithBackoff(java.time.Duration.ofMillis(200),
                java.time.Duration.ofSeconds(5), 0.2));
    }

    /** @return {@code SiteWatch|<key>} */
    public static PersistenceId persistenceId(String persistenceKey) {
        return PersistenceId.ofUniqueId("SiteWatch|" + persistenceKey);
    }

    private final ActorRef<SiteRegistry.Command> registry;

    private SiteWatch(String persistenceKey, ActorRef<SiteRegistry.Command> registry) {
        // A journal failure restarts the watch with backoff (Pekko would stop it otherwise).
        super(persistenceId(persistenceKey), SupervisorStrategy.restartWithBackoff(java.time.Duration.ofMillis(200),
                java.time.Duration.ofSeconds(5), 0.2));
        this.registry = registry;
    }

    @Override
    public State emptyState() {
        return new State(Map.of());
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), state ->
                state.since().forEach((site, since) ->
                        registry.tell(new SiteRegistry.RestoreUnreachableSince(site, since)))).build();
    }

    @Override
    public CommandHandler<SiteRegistry.ReachabilityChange, Event, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(SiteRegistry.ReachabilityChange.class, (state, c) -> {
                    Long recorded = state.since().get(c.site());
                    if (c.reachable()) {
                        return recorded == null ? Effect().none()
                                : Effect().persist(new SiteReachable(c.site(), c.atMillis()));
                    }
                    if (recorded != null) {
                        registry.tell(new SiteRegistry.RestoreUnreachableSince(c.site(), recorded));
                        return Effect().none();
                    }
                    return Effect().persist(new SiteUnreachable(c.site(), c.atMillis()));
                })
                .build();
    }
}
