package dev.atoll.federationnode.site;

import dev.atoll.placement.SiteLedger;
import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.HoldCreated;
import dev.atoll.protocol.event.SiteDrainChanged;
import java.util.ArrayList;
import java.util.List;

/**
 * A SiteAgent's snapshot (Kryo id 1126; earlier shapes: without the drain state {@link SiteLedgerSnapshotV1}, id
 * 1120; without allocation owners {@link SiteLedgerSnapshotV2}, id 1122; without allocation terms
 * {@link SiteLedgerSnapshotV3}, id 1124): the ledger's live holds and allocations, the recently ended allocations,
 * the number of events applied so far (the advert version), whether an operator has drained the site, the owner of
 * each live allocation that has one, and the terms (spec, preemption count) of each live allocation whose award
 * carried them. It is restored by replaying
 * holds and allocations into a fresh {@link SiteLedger} through its public API (so the ledger checks its
 * invariants on the way in), never by copying its internals.
 *
 * @param version events applied to the ledger when the snapshot was taken
 * @param holds live holds, in creation order
 * @param allocations live allocations, in commit order
 * @param ended recently ended allocations, oldest first
 * @param draining the site is drained ({@link SiteDrainChanged})
 * @param drainReason the operator's reason ("" when not draining)
 * @param owners the owner of each live allocation whose award named one (see {@link AllocationCommitted#owner()})
 * @param terms the spec and preemption count of each live allocation whose award carried them (see
 *     {@link AllocationCommitted#spec()})
 */
public record SiteLedgerSnapshot(long version, List<HoldCreated> holds, List<Allocation> allocations,
                                 List<AllocationStatus> ended, boolean draining, String drainReason,
                                 List<Owner> owners, List<Terms> terms) implements AtollSerializable {
    public SiteLedgerSnapshot {
        holds = List.copyOf(holds);
        allocations = List.copyOf(allocations);
        ended = List.copyOf(ended);
        drainReason = drainReason == null ? "" : drainReason;
        owners = owners == null ? List.of() : List.copyOf(owners);
        terms = terms == null ? List.of() : List.copyOf(terms);
    }

    /** A snapshot with no allocation owners nor terms. */
    public SiteLedgerSnapshot(long version, List<HoldCreated> holds, List<Allocation> allocations,
                              List<AllocationStatus> ended, boolean draining, String drainReason) {
        this(version, holds, allocations, ended, draining, drainReason, List.of(), List.of());
    }

    /**
     * What the preemption planner needs to know of a live allocation (Kryo id 1125): the job's request (priority,
     * tenant, preemptible, checkpoint interval) and how often it had been preempted before.
     *
     * @throws NullPointerException if job or spec is null
     * @throws IllegalArgumentException if preemptions is negative
     */
    public record Terms(JobId job, dev.atoll.protocol.JobSpec spec, int preemptions) implements AtollSerializable {
        public Terms {
            java.util.Objects.requireNonNull(job, "job");
            java.util.Objects.requireNonNull(spec, "spec");
            if (preemptions < 0) {
                throw new IllegalArgumentException("preemptions of job " + job + " must be >= 0, got " + preemptions);
            }
        }
    }

    /**
     * Who awarded a live allocation (Kryo id 1123): the Job entity {@code entity} in site {@code site}'s sharding.
     *
     * @throws NullPointerException if a field is null
     */
    public record Owner(JobId job, SiteId site, String entity) implements AtollSerializable {
        public Owner {
            java.util.Objects.requireNonNull(job, "job");
            java.util.Objects.requireNonNull(site, "site");
            java.util.Objects.requireNonNull(entity, "entity");
        }
    }

    /**
     * One live allocation (Kryo id 1121). Times are epoch milliseconds.
     */
    public record Allocation(HoldId hold, JobId job, long epoch, Placement placement, long startedAtMillis,
                             long endsAtMillis) implements AtollSerializable {
    }

    /** @return the snapshot of {@code ledger}'s live state plus {@code ended}, at {@code version}, no owners */
    public static SiteLedgerSnapshot of(SiteLedger ledger, long version, List<AllocationStatus> ended) {
        return of(ledger, version, ended, List.of());
    }

    /** @return the snapshot of {@code ledger}'s live state plus {@code ended} and {@code owners}, no terms */
    public static SiteLedgerSnapshot of(SiteLedger ledger, long version, List<AllocationStatus> ended,
                                        List<Owner> owners) {
        return of(ledger, version, ended, owners, List.of());
    }

    /**
     * @return the snapshot of {@code ledger}'s live state plus {@code ended}, {@code owners} and {@code terms}, at
     *     {@code version}
     */
    public static SiteLedgerSnapshot of(SiteLedger ledger, long version, List<AllocationStatus> ended,
                                        List<Owner> owners, List<Terms> terms) {
        List<HoldCreated> holds = new ArrayList<>();
        for (SiteLedger.Hold h : ledger.holds()) {
            holds.add(new HoldCreated(h.id(), h.job(), h.epoch(), h.placement(), h.expiresAtMillis()));
        }
        List<Allocation> allocations = new ArrayList<>();
        for (SiteLedger.Allocation a : ledger.allocations()) {
            allocations.add(new Allocation(a.hold(), a.job(), a.epoch(), a.placement(), a.startedAtMillis(),
                    a.endsAtMillis()));
        }
        return new SiteLedgerSnapshot(version, holds, allocations, ended, ledger.draining(), ledger.drainReason(),
                owners, terms);
    }

    /**
     * Rebuilds a ledger for {@code spec}: each allocation as its hold and commit, then the live holds.
     *
     * @throws dev.atoll.placement.LedgerViolation if the snapshot does not fit the site (e.g. a node that the
     *     site file no longer has, or more devices than a node's capacity), so recovery fails loudly
     */
    public SiteLedger toLedger(SiteSpec spec) {
        SiteLedger ledger = new SiteLedger(spec);
        for (Allocation a : allocations) {
            ledger.apply(new HoldCreated(a.hold(), a.job(), a.epoch(), a.placement(), Long.MAX_VALUE));
            ledger.apply(new AllocationCommitted(a.hold(), a.job(), a.epoch(), a.startedAtMillis(), a.endsAtMillis()));
        }
        for (HoldCreated h : holds) {
            ledger.apply(h);
        }
        if (draining) {
            ledger.apply(new SiteDrainChanged(true, drainReason, 0L));
        }
        return ledger;
    }
}
