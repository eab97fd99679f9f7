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

    private SiteRegistry(ActorContext<Command> ctx,
                         ReplicatorMessageAdapter<Command, LWWMap<String, SiteEntry>> replicator) {
        super(ctx);
        this.replicator = replicator;
        this.self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
        this.cluster = Cluster.get(ctx.getSystem());
        replicator.subscribe(KEY, InternalChanged::new);
        ActorRef<ClusterEvent.ClusterDomainEvent> events = ctx.messageAdapter(ClusterEvent.ClusterDomainEvent.class,
                MembershipChanged::new);
        unreachableMembers.addAll(cluster.state().getUnreachable());
        unreachableDcs.addAll(cluster.state().getUnreachableDataCenters());
        cluster.subscriptions().tell(Subscribe.create(events, ClusterEvent.ClusterDomainEvent.class));
        recomputeReachability();
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
    }

    private static Map<String, Boolean> toMap(Set<String> s) {
        Map<String, Boolean> m = new HashMap<>();
        for (String x : s) {
            m.put(x, true);
        }
        return m;
    }

    private SiteInfo info(SiteEntry e) {
        return new SiteInfo(e.advert(), e.agent(), reachableSites.contains(e.advert().site().value()));
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
     * The candidate rule, separate for tests: reachable sites whose advert may fit the job now, whether
     * any known site could ever fit it, and a reason when there is no candidate. While a reachable site has
     * not advertised yet ({@code silentSites}, e.g. just after a restart) nothing is judged never to fit:
     * that site might.
     *
     * @param silentSites reachable sites (data centers) with no advert seen yet
     */
    public static CandidateSites candidates(List<SiteInfo> sites, JobSpec job, Set<String> silentSites) {
        List<SiteInfo> now = new ArrayList<>();
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
            if (Fits.mayFitNow(s.advert(), job)) {
                now.add(s);
            } else {
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
            return new CandidateSites(now, true, sites.size(), reason);
        } else if (!ever) {
            reason = "no site in the federation has capacity for " + want + " (sites known: " + sites.size() + ")";
        } else if (now.isEmpty()) {
            reason = "no reachable site has " + want + " free now"
                    + (busy.length() > 0 ? " (" + busy + ")" : "")
                    + (unreachableEver > 0 ? "; " + unreachableEver + " site(s) that could fit are unreachable" : "");
        }
        return new CandidateSites(now, ever, sites.size(), reason);
    }
}
