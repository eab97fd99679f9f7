package dev.atoll.federationnode.job;

import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.event.JobEvent;
import dev.atoll.siteregistry.SiteInfo;
import dev.atoll.siteregistry.SiteRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Adopts the queued jobs of lost sites (one per node; issue 4, docs/architecture.md "Adoption").
 *
 * <p>Every {@code atoll.adoption.check-interval} it asks the node's registry for all sites. It acts only if
 * (1) the sites that are reachable and not lost are a strict majority of all known sites (so the minority side of a
 * partition, which sees the others lost, never adopts their jobs), and (2) this node's site has the lowest id among
 * them (every node of the majority computes the same adopter, no vote needed). Then, for each lost site L, it reads
 * from the shared journal which of L's Job entities are live (L's sharding remember-entities store,
 * {@code /sharding/Job-<L>Shard/<n>}: finished jobs passivate and leave it), rebuilds each one's {@link JobState}
 * from its own journal, and for each one that is queued or negotiating sends {@link Job.Adopt} to a new entity
 * {@code <job>|a<n+1>} in this site's sharding (n = the owner's generation). All reads are recoveries of a
 * read-only {@link JournalReader}, so L's persistence ids keep their single writer. Adopting twice is harmless:
 * the entity ignores an Adopt once it has events.
 */
public final class Adopter {
    private Adopter() {
    }

    /** Messages of the adopter (node-local). */
    public sealed interface Command extends NoSerializationVerificationNeeded {
    }

    private enum Tick implements Command { INSTANCE }

    private record GotSites(List<SiteInfo> sites, String failure) implements Command {
    }

    private record Scanned(List<Job.Adopt> adoptions, List<String> entities, String failure) implements Command {
    }

    /**
     * @param self this node's site
     * @param registry the node's registry
     * @param jobs this site's Job sharding (where adopted entities live)
     * @param interval how often to check; zero = never
     * @param shards {@code pekko.cluster.sharding.number-of-shards} (the shard ids of a site's Job sharding)
     */
    public static Behavior<Command> create(SiteId self, ActorRef<SiteRegistry.Command> registry, JobDirectory jobs,
                                           Duration interval, int shards) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("atoll.adoption.check-interval must not be negative, got " + interval);
        }
        if (shards < 1) {
            throw new IllegalArgumentException("pekko.cluster.sharding.number-of-shards must be >= 1, got " + shards);
        }
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            if (!interval.isZero()) {
                timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
            }
            return idle(ctx, self, registry, jobs, shards);
        }));
    }

    private static Behavior<Command> idle(ActorContext<Command> ctx, SiteId self,
                                          ActorRef<SiteRegistry.Command> registry, JobDirectory jobs, int shards) {
        return Behaviors.receive(Command.class)
                .onMessage(Tick.class, t -> {
                    ctx.ask(List.class, registry, Duration.ofSeconds(5),
                            replyTo -> new SiteRegistry.GetAllSites(castRef(replyTo)),
                            (sites, failure) -> new GotSites(castSites(sites),
                                    failure == null ? null : failure.toString()));
                    return scanning(ctx, self, registry, jobs, shards);
                })
                .onMessage(GotSites.class, m -> Behaviors.same())
                .onMessage(Scanned.class, m -> Behaviors.same())
                .build();
    }

    /** Waiting for the registry or a scan: further ticks are dropped, so scans never overlap. */
    private static Behavior<Command> scanning(ActorContext<Command> ctx, SiteId self,
                                              ActorRef<SiteRegistry.Command> registry, JobDirectory jobs,
                                              int shards) {
        return Behaviors.receive(Command.class)
                .onMessage(Tick.class, t -> Behaviors.same())
                .onMessage(GotSites.class, m -> {
                    List<SiteId> lost = m.sites() == null ? List.of() : lostSitesToAdopt(self, m.sites());
                    if (lost.isEmpty()) {
                        return idle(ctx, self, registry, jobs, shards);
                    }
                    ctx.pipeToSelf(scanAll(ctx.getSystem(), lost, shards), (r, failure) -> failure == null ? r
                            : new Scanned(List.of(), List.of(), failure.toString()));
                    return Behaviors.same();
                })
                .onMessage(Scanned.class, m -> {
                    if (m.failure() != null) {
                        ctx.getLog().warn("adoption scan failed (next try in one interval): {}", m.failure());
                    }
                    for (Job.Adopt a : m.adoptions()) {
                        jobs.job(JobDirectory.adoptedEntityId(a.spec().id().value(), a.generation())).tell(a);
                    }
                    if (!m.adoptions().isEmpty()) {
                        ctx.getLog().info("site {} adopts {} queued job(s) of lost site(s): {}", self,
                                m.adoptions().size(), m.entities());
                    }
                    return idle(ctx, self, registry, jobs, shards);
                })
                .build();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ActorRef<List<SiteInfo>> castRef(ActorRef<List> ref) {
        return (ActorRef) ref;
    }

    @SuppressWarnings("unchecked")
    private static List<SiteInfo> castSites(List<?> sites) {
        return (List<SiteInfo>) sites;
    }

    /**
     * The adoption rule, pure: the lost sites this site must adopt from, given the registry's view.
     *
     * @return the lost sites, by id, if the reachable non-lost sites are a strict majority of {@code sites} and
     *     {@code self} is the lowest id among them; else an empty list
     */
    public static List<SiteId> lostSitesToAdopt(SiteId self, List<SiteInfo> sites) {
        List<SiteId> live = new ArrayList<>();
        List<SiteId> lost = new ArrayList<>();
        for (SiteInfo s : sites) {
            if (s.lost()) {
                lost.add(s.site());
            } else if (s.reachable()) {
                live.add(s.site());
            }
        }
        if (lost.isEmpty() || live.size() * 2 <= sites.size() || !live.contains(self)) {
            return List.of();
        }
        SiteId adopter = live.stream().min(Comparator.comparing(SiteId::value)).orElseThrow();
        if (!adopter.equals(self)) {
            return List.of();
        }
        lost.sort(Comparator.comparing(SiteId::value));
        return lost;
    }

    /** Reads the live Job entities of every lost site, then each one's state, one job at a time. */
    private static CompletionStage<Scanned> scanAll(ActorSystem<?> system, List<SiteId> lost, int shards) {
        CompletionStage<List<String[]>> live = CompletableFuture.completedFuture(new ArrayList<>());
        for (SiteId site : lost) {
            live = live.thenCompose(acc -> liveEntities(system, site, shards).thenApply(entities -> {
                for (String e : entities) {
                    acc.add(new String[] {site.value(), e});
                }
                return acc;
            }));
        }
        return live.thenCompose(all -> {
            CompletionStage<List<Job.Adopt>> out = CompletableFuture.completedFuture(new ArrayList<>());
            List<String> names = new ArrayList<>();
            for (String[] siteAndEntity : all) {
                SiteId site = SiteId.of(siteAndEntity[0]);
                String e = siteAndEntity[1];
                out = out.thenCompose(acc -> JournalReader.read(system, "Job|" + e, true, Long.MAX_VALUE, TIMEOUT)
                        .thenApply(r -> {
                            Job.Adopt a = adoptionOf(site, e, r);
                            if (a != null) {
                                acc.add(a);
                                names.add(site + "/" + e);
                            }
                            return acc;
                        }));
            }
            return out.thenApply(adoptions -> new Scanned(List.copyOf(adoptions), List.copyOf(names), null));
        });
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** @return the ids of {@code site}'s remembered (live) Job entities, from its 0..shards-1 shard stores */
    private static CompletionStage<Set<String>> liveEntities(ActorSystem<?> system, SiteId site, int shards) {
        String type = JobDirectory.typeKey(site).name();
        List<CompletableFuture<Set<String>>> reads = new ArrayList<>();
        for (int n = 0; n < shards; n++) {
            reads.add(JournalReader.read(system, "/sharding/" + type + "Shard/" + n, true, Long.MAX_VALUE, TIMEOUT)
                    .thenApply(Adopter::rememberedEntities).toCompletableFuture());
        }
        return CompletableFuture.allOf(reads.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            Set<String> all = new TreeSet<>();
            for (CompletableFuture<Set<String>> r : reads) {
                all.addAll(r.join());
            }
            return all;
        });
    }

    /**
     * Folds one shard's remember-entities store (Pekko's internal {@code EventSourcedRememberEntitiesShardStore}:
     * snapshot {@code State(entities)}, events {@code EntitiesStarted(entities)} / {@code EntitiesStopped(entities)})
     * into the set of live entity ids. The classes are internal to Pekko, so they are read by name.
     *
     * @throws IllegalStateException naming the type if an event is of an unknown kind (fail loudly, never skip)
     */
    static Set<String> rememberedEntities(JournalReader.Result r) {
        Set<String> live = new TreeSet<>();
        if (r.snapshot() != null) {
            live.addAll(entitiesOf(r.snapshot()));
        }
        for (Object e : r.events()) {
            String name = e.getClass().getName();
            if (name.endsWith("EntitiesStarted") || name.endsWith("EntityStarted")) {
                live.addAll(entitiesOf(e));
            } else if (name.endsWith("EntitiesStopped") || name.endsWith("EntityStopped")) {
                live.removeAll(entitiesOf(e));
            } else {
                throw new IllegalStateException("unknown remember-entities event " + name);
            }
        }
        return live;
    }

    private static Set<String> entitiesOf(Object o) {
        try {
            Object v;
            try {
                v = o.getClass().getMethod("entities").invoke(o);
            } catch (NoSuchMethodException e) {
                return Set.of((String) o.getClass().getMethod("entityId").invoke(o));
            }
            Set<String> out = new TreeSet<>();
            for (Object id : scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Iterable<?>) v)) {
                out.add((String) id);
            }
            return out;
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("cannot read the entity ids of " + o.getClass().getName() + ": " + e, e);
        }
    }

    /** @return the adoption of entity {@code entity} of lost site {@code site} if its journal shows it queued */
    private static Job.Adopt adoptionOf(SiteId site, String entity, JournalReader.Result r) {
        JobState s = r.snapshot() instanceof JobState snap ? snap : JobState.EMPTY;
        for (Object e : r.events()) {
            s = s.apply((JobEvent) e);
        }
        if (s.phase() != JobState.Phase.QUEUED && s.phase() != JobState.Phase.NEGOTIATING) {
            return null;
        }
        return new Job.Adopt(s.spec(), site, entity, JobDirectory.generationOf(entity) + 1, s.epoch(),
                s.submittedAt());
    }
}
