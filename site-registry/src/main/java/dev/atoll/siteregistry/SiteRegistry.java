package dev.atoll.siteregistry;

import dev.atoll.protocol.Advert;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The federation's live view of sites, one instance per node (spawn it once, e.g. as
 * {@code /user/site-registry}).
 *
 * <p>Adverts are replicated with Pekko Distributed Data in an {@code LWWMap<String, SiteEntry>} keyed by
 * site id ({@link #KEY}); a site's entry is only replaced by one whose advert version is at least as high,
 * so a late gossip of an older advert never wins locally. Reachability comes from cluster membership: a
 * site (a data center) is reachable while at least one of its members is up (or weakly up, or leaving) and
 * reachable from here and its data center is not marked unreachable; otherwise its capacity leaves the
 * candidates at once.
 *
 * <p>Site loss: a site that stays unreachable for {@code atoll.registry.lost-after} (default 2 min) is
 * <em>lost</em> ({@link SiteInfo#lost()}); Jobs placed there requeue elsewhere under a new epoch. Unreachability
 * across data centers never downs anyone (Pekko's Split Brain Resolver and downing act within a data center
 * only); the registry only withdraws the site's capacity. The start of each unreachable spell is reported to a
 * watcher ({@link Watch}, the node's event-sourced SiteWatch), which persists it and gives it back after a
 * restart ({@link RestoreUnreachableSince}), so a restart does not restart the lost timer. A spell ends once the
 * site has been reachable for {@code atoll.registry.reachable-stable-after} (default 15 s; a restarted node
 * briefly sees every site reachable until its failure detector has heard nothing for a while).
 *
 * <p>All commands are local to the node (they carry local reply refs and are never serialized).
 */
public final class SiteRegistry extends AbstractBehavior<SiteRegistry.Command> {
    /** The replicated key of all site entries. */
    public static final Key<LWWMap<String, SiteEntry>> KEY = LWWMapKey.create("atoll-sites");

    /** Messages the registry accepts. */
    public interface Command extends NoSerializationVerificationNeeded {
    }

    /** Publishes this site's advert (called by the local SiteAgent after each change). */
    public record Publish(Advert advert, ActorRef<SiteAgentCommand> agent) implements Command {
    }

    /** Asks which reachable sites may take {@code job}; the answer is a {@link CandidateSites}. */
    public record GetCandidates(JobSpec job, ActorRef<CandidateSites> replyTo) implements Command {
    }

    /** Asks for every known site, reachable or not, in site order. */
    public record GetAllSites(ActorRef<List<SiteInfo>> replyTo) implements Command {
    }

    /** Asks for one site; the answer is empty if no advert of it was seen. */
    public record Lookup(SiteId site, ActorRef<Optional<SiteInfo>> replyTo) implements Command {
    }

    /**
     * Registers the watcher of unreachable spells (the node's SiteWatch); it is told the spells open now and every
     * later start and end of a spell.
     */
    public record Watch(ActorRef<ReachabilityChange> watcher) implements Command {
    }

    /**
     * The persisted start of an unreachable spell, given back after a restart; the earlier of it and the start
     * seen by this incarnation counts.
     *
     * @param site site id
     * @param sinceMillis epoch ms when the spell began
     */
    public record RestoreUnreachableSince(String site, long sinceMillis) implements Command {
    }

    /**
     * A spell of unreachability began ({@code reachable = false}) or ended ({@code reachable = true}).
     *
     * @param site site id
     * @param reachable whether the site is reachable again
     * @param atMillis epoch ms: the spell's start, or when it ended
     */
    public record ReachabilityChange(String site, boolean reachable, long atMillis)
            implements NoSerializationVerificationNeeded {
    }

    private record InternalChanged(Replicator.SubscribeResponse<LWWMap<String, SiteEntry>> rsp) implements Command {
    }

    private record InternalUpdated(Replicator.UpdateResponse<LWWMap<String, SiteEntry>> rsp) implements Command {
    }

    private record MembershipChanged(ClusterEvent.ClusterDomainEvent event) implements Command {
    }

    private enum Refresh implements Command { INSTANCE }

    /** @return the registry behaviour; needs a cluster actor provider */
    public static Behavior<Command> create() {
        return Behaviors.setup(ctx -> DistributedData.withReplicatorMessageAdapter(
                (ReplicatorMessageAdapter<Command, LWWMap<String, SiteEntry>> adapter) ->
                        Behaviors.withTimers(timers -> {
                            timers.startTimerWithFixedDelay(Refresh.INSTANCE, Duration.ofSeconds(1));
                            return new SiteRegistry(ctx, adapter);
                        })));
    }

    private final ReplicatorMessageAdapter<Command, LWWMap<String, SiteEntry>> replicator;
    private final SelfUniqueAddress self;
    private final Cluster cluster;
    private final Map<String, SiteEntry> entries = new TreeMap<>();
    private Set<String> reachableSites = new HashSet<>();
    private final Set<Member> unreachableMembers = new HashSet<>();
    private final Set<String> unreachableDcs = new HashSet<>();
    private final Map<String, Long> unreachableSince = new TreeMap<>();
    private final Map<String, Long> reachableAgainAt = new HashMap<>();
    private final Set<String> lostLogged = new HashSet<>();
    private final Duration lostAfter;
    private final Duration reachableStableAfter;
    private ActorRef<ReachabilityChange> watcher;

    private SiteRegistry(ActorContext<Command> ctx,
                         ReplicatorMessageAdapter<Command, LWWMap<String, SiteEntry>> replicator) {
        super(ctx);
        this.replicator = replicator;
        this.self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
        this.cluster = Cluster.get(ctx.getSystem());
        com.typesafe.config.Config config = ctx.getSystem().settings().config();
        this.lostAfter = duration(config, "atoll.registry.lost-after", Duration.ofMinutes(2));
        this.reachableStableAfter = duration(config, "atoll.registry.reachable-stable-after", Duration.ofSeconds(15));
        replicator.subscribe(KEY, InternalChanged::new);
        ActorRef<ClusterEvent.ClusterDomainEvent> events = ctx.messageAdapter(ClusterEvent.ClusterDomainEvent.class,
                MembershipChanged::new);
        unreachableMembers.addAll(cluster.state().getUnreachable());
        unreachableDcs.addAll(cluster.state().getUnreachableDataCenters());
        cluster.subscriptions().tell(Subscribe.create(events, ClusterEvent.ClusterDomainEvent.class));
        recomputeReachability();
    }

    private static Duration duration(com.typesafe.config.Config config, String path, Duration dflt) {
        if (!config.hasPath(path)) {
            return dflt;
        }
        Duration d;
        try {
            d = config.getDuration(path);
        } catch (com.typesafe.config.ConfigException e) {
            throw new IllegalArgumentException(path + " must be a duration such as 2m, got "
                    + config.getValue(path).render(), e);
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException(path + " must not be negative, got " + d);
        }
        return d;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Publish.class, this::onPublish)
                .onMessage(GetCandidates.class, this::onCandidates)
                .onMessage(GetAllSites.class, m -> {
                    m.replyTo().tell(all());
                    return this;
                })
                .onMessage(Lookup.class, m -> {
                    SiteEntry e = entries.get(m.site().value());
                    m.replyTo().tell(e == null ? Optional.empty() : Optional.of(info(e)));
                    return this;
                })
                .onMessage(Watch.class, m -> {
                    watcher = m.watcher();
                    unreachableSince.forEach((site, since) -> watcher.tell(new ReachabilityChange(site, false, since)));
                    return this;
                })
                .onMessage(RestoreUnreachableSince.class, m -> {
                    Long seen = unreachableSince.get(m.site());
                    if (!reachableSites.contains(m.site()) || seen != null) {
                        unreachableSince.put(m.site(), seen == null ? m.sinceMillis() : Math.min(seen, m.sinceMillis()));
                    }
                    return this;
                })
                .onMessage(InternalChanged.class, this::onChanged)
                .onMessage(InternalUpdated.class, m -> this)
                .onMessage(MembershipChanged.class, m -> {
                    track(m.event());
                    recomputeReachability();
                    return this;
                })
                .onMessageEquals(Refresh.INSTANCE, () -> {
                    recomputeReachability();
                    return this;
                })
                .build();
    }

    private Behavior<Command> onPublish(Publish p) {
        SiteEntry entry = new SiteEntry(p.advert(), p.agent());
        keepNewer(entry);
        String site = p.advert().site().value();
        replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(), Replicator.writeLocal(), replyTo,
                map -> {
                    Optional<SiteEntry> old = toOptional(map.get(site));
                    if (old.isPresent() && old.get().advert().version() > entry.advert().version()) {
                        return map;
                    }
                    return map.put(self, site, entry);
                }), InternalUpdated::new);
        return this;
    }

    private static <T> Optional<T> toOptional(scala.Option<T> o) {
        return o.isDefined() ? Optional.of(o.get()) : Optional.empty();
    }

    private Behavior<Command> onChanged(InternalChanged m) {
        if (m.rsp() instanceof Replicator.Changed<LWWMap<String, SiteEntry>> changed) {
            for (SiteEntry e : changed.get(KEY).getEntries().values()) {
                keepNewer(e);
            }
        }
        return this;
    }

    private void keepNewer(SiteEntry e) {
        String site = e.advert().site().value();
        SiteEntry old = entries.get(site);
        if (old == null || old.advert().version() <= e.advert().version()) {
            entries.put(site, e);
        }
    }

    /**
     * Keeps unreachability from the events themselves: the cluster's read view is not guaranteed to carry
     * other data centers' unreachability.
     */
    private void track(ClusterEvent.ClusterDomainEvent event) {
        if (event instanceof ClusterEvent.UnreachableDataCenter u) {
            unreachableDcs.add(u.dataCenter());
        } else if (event instanceof ClusterEvent.ReachableDataCenter r) {
            unreachableDcs.remove(r.dataCenter());
        } else if (event instanceof ClusterEvent.UnreachableMember u) {
            unreachableMembers.add(u.member());
        } else if (event instanceof ClusterEvent.ReachableMember r) {
            unreachableMembers.remove(r.member());
        } else if (event instanceof ClusterEvent.MemberRemoved r) {
            unreachableMembers.remove(r.member());
        }
    }

    private void recomputeReachability() {
        ClusterEvent.CurrentClusterState state = cluster.state();
        Set<Member> unreachable = new HashSet<>(unreachableMembers);
        unreachable.addAll(state.getUnreachable());
        Set<String> up = new HashSet<>();
        for (Member m : state.getMembers()) {
            MemberStatus s = m.status();
            // Joining members do not count: other data centers only watch members that are up, so a site
            // whose only member crashed while joining would otherwise look reachable for ever.
            boolean alive = s == MemberStatus.up() || s == MemberStatus.weaklyUp() || s == MemberStatus.leaving();
            if (alive && !unreachable.contains(m) && !unreachableDcs.contains(m.dataCenter())) {
                up.add(m.dataCenter());
            }
        }
        if (!up.equals(reachableSites)) {
            getContext().getLog().info("reachable sites now {} (were {})", new TreeMap<>(toMap(up)).keySet(),
                    new TreeMap<>(toMap(reachableSites)).keySet());
        }
        reachableSites = up;
        trackSpells(state);
    }

    /** Opens and closes unreachable spells of known sites; logs when a site becomes lost. */
    private void trackSpells(ClusterEvent.CurrentClusterState state) {
        long now = System.currentTimeMillis();
        Set<String> known = new java.util.TreeSet<>(entries.keySet());
        for (Member m : state.getMembers()) {
            known.add(m.dataCenter());
        }
        known.remove(cluster.selfMember().dataCenter());
        for (String site : known) {
            if (reachableSites.contains(site)) {
                if (!unreachableSince.containsKey(site)) {
                    continue;
                }
                long back = reachableAgainAt.computeIfAbsent(site, k -> now);
                if (now - back >= reachableStableAfter.toMillis()) {
                    unreachableSince.remove(site);
                    reachableAgainAt.remove(site);
                    if (lostLogged.remove(site)) {
                        getContext().getLog().warn("site {} is reachable again after being lost", site);
                    }
                    if (watcher != null) {
                        watcher.tell(new ReachabilityChange(site, true, now));
                    }
                }
            } else {
                reachableAgainAt.remove(site);
                if (!unreachableSince.containsKey(site)) {
                    unreachableSince.put(site, now);
                    if (watcher != null) {
                        watcher.tell(new ReachabilityChange(site, false, now));
                    }
                }
                if (isLost(site, now) && lostLogged.add(site)) {
                    getContext().getLog().warn("site {} is lost: unreachable since {} (lost-after {})", site,
                            java.time.Instant.ofEpochMilli(unreachableSince.get(site)), lostAfter);
                }
            }
        }
    }

    private boolean isLost(String site, long now) {
        Long since = unreachableSince.get(site);
        return since != null && !reachableSites.contains(site) && now - since >= lostAfter.toMillis();
    }

    private static Map<String, Boolean> toMap(Set<String> s) {
        Map<String, Boolean> m = new HashMap<>();
        for (String x : s) {
            m.put(x, true);
        }
        return m;
    }

    private SiteInfo info(SiteEntry e) {
        String site = e.advert().site().value();
        boolean reachable = reachableSites.contains(site);
        Long since = unreachableSince.get(site);
        return new SiteInfo(e.advert(), e.agent(), reachable, isLost(site, System.currentTimeMillis()),
                reachable || since == null ? 0L : since);
    }

    private List<SiteInfo> all() {
        List<SiteInfo> out = new ArrayList<>();
        for (SiteEntry e : entries.values()) {
            out.add(info(e));
        }
        return out;
    }

    private Behavior<Command> onCandidates(GetCandidates m) {
        Set<String> silent = new java.util.TreeSet<>(reachableSites);
        silent.removeAll(entries.keySet());
        m.replyTo().tell(candidates(all(), m.job(), silent));
        return this;
    }

    /** {@link #candidates(List, JobSpec, Set)} when every reachable site has advertised. */
    public static CandidateSites candidates(List<SiteInfo> sites, JobSpec job) {
        return candidates(sites, job, Set.of());
    }

    /**
     * The candidate rule, separate for tests: reachable sites that are not draining and whose advert may fit
     * the job now (a draining site counts for "could ever fit", so its jobs wait instead of being rejected), whether
     * any known site could ever fit it, and a reason when there is no candidate. While a reachable site has
     * not advertised yet ({@code silentSites}, e.g. just after a restart) nothing is judged never to fit:
     * that site might.
     *
     * @param silentSites reachable sites (data centers) with no advert seen yet
     */
    public static CandidateSites candidates(List<SiteInfo> sites, JobSpec job, Set<String> silentSites) {
        List<SiteInfo> now = new ArrayList<>();
        List<SiteInfo> later = new ArrayList<>();
        boolean ever = false;
        int unreachableEver = 0;
        StringBuilder busy = new StringBuilder();
        for (SiteInfo s : sites) {
            if (!Fits.couldEverFit(s.advert(), job)) {
                continue;
            }
            ever = true;
            if (!s.reachable()) {
                unreachableEver++;
                continue;
            }
            if (s.advert().draining()) {
                // Drained by its operator: takes no new placements however much is free.
                if (busy.length() > 0) {
                    busy.append(", ");
                }
                busy.append(s.site()).append(" is draining");
            } else if (Fits.mayFitNow(s.advert(), job)) {
                now.add(s);
            } else {
                later.add(s);
                if (busy.length() > 0) {
                    busy.append(", ");
                }
                busy.append(s.site()).append(" has ").append(s.advert().free()).append(" free of ")
                        .append(s.advert().capacity());
            }
        }
        String reason = "";
        String want = job.devices() + (job.wholeNodes() ? " whole-node" : "") + " devices of " + job.models();
        if (sites.isEmpty()) {
            reason = "no site has advertised yet";
        } else if (!ever && !silentSites.isEmpty()) {
            reason = "no advertised site has capacity for " + want + "; waiting for adverts from " + silentSites;
            return new CandidateSites(now, true, sites.size(), reason, later);
        } else if (!ever) {
            reason = "no site in the federation has capacity for " + want + " (sites known: " + sites.size() + ")";
        } else if (now.isEmpty()) {
            reason = "no reachable site has " + want + " free now"
                    + (busy.length() > 0 ? " (" + busy + ")" : "")
                    + (unreachableEver > 0 ? "; " + unreachableEver + " site(s) that could fit are unreachable" : "");
        }
        return new CandidateSites(now, ever, sites.size(), reason, later);
    }
}
