package dev.atoll.federationnode.bench;

import dev.atoll.federationnode.H2Schema;
import dev.atoll.federationnode.NodeKryo;
import dev.atoll.federationnode.persistence.Journals;
import dev.atoll.federationnode.site.AllocationStatus;
import dev.atoll.federationnode.site.GetLedger;
import dev.atoll.federationnode.site.LedgerView;
import dev.atoll.federationnode.site.SiteAgent;
import dev.atoll.federationnode.site.SiteLedgerSnapshot;
import dev.atoll.placement.PackingPolicy;
import dev.atoll.placement.PlacementResult;
import dev.atoll.placement.SiteLedger;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.HoldCreated;
import dev.atoll.protocol.event.SiteEvent;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import dev.atoll.protocol.serialization.AtollKryoSerializer;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * Recovery benchmark of a SiteAgent whose journal holds many events (not a test; {@code ./mvnw verify}
 * does not run it).
 *
 * <p>Writes {@code --events} (default 1,000,000) real SiteAgent events (hold, commit, release cycles of
 * one-device jobs, up to 400 running at once, checked by a {@link SiteLedger} on the way) straight into the
 * journal ({@code --journal h2}, the default, or {@code cassandra}) in the plugin's table layout with the Atoll
 * Kryo serializer, for two sites: {@code bench-snap} also gets the snapshot the agent itself would have taken
 * last ({@code --snapshot-every}, default 10,000, so the newest snapshot is up to that many events behind the
 * end), {@code bench-full} has none. Then it starts a SiteAgent for each and prints the wall-clock seconds
 * until the recovered agent answers its first ledger query, after timing a first, empty agent apart (plugin
 * start-up). {@code --reuse} re-times recovery of what an earlier run wrote; {@code --only snap|full} times one.
 * Commands and figures: docs/operations/recovery.md.
 */
public final class RecoveryBench {
    private static final SiteSpec SPEC_TEMPLATE = new SiteSpec(SiteId.of("bench"), "east",
            List.of(PoolSpec.of("H800", 64, 8, 80)));

    private RecoveryBench() {
    }

    /**
     * @param args {@code --events N} (default 1000000), {@code --snapshot-every N} (default 10000),
     *     {@code --dir D} (default target/recovery-bench; wiped first)
     * @throws Exception when the journal cannot be written or the agent does not recover within 5 minutes
     */
    public static void main(String[] args) throws Exception {
        long events = 1_000_000;
        int every = 10_000;
        Path dir = Path.of("target/recovery-bench");
        boolean reuse = false;
        String only = "both";
        String journal = "h2";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = Long.parseLong(args[++i]);
                case "--snapshot-every" -> every = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--reuse" -> reuse = true;
                case "--only" -> only = args[++i];
                case "--journal" -> journal = args[++i];
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "' (known: --events, --snapshot-every, --dir, --reuse, --only snap|full,"
                        + " --journal h2|cassandra)");
            }
        }
        NodeKryo.register();
        if (!journal.equals("h2") && !journal.equals("cassandra")) {
            throw new IllegalArgumentException("--journal must be h2 or cassandra, not '" + journal + "'");
        }
        if (journal.equals("cassandra")) {
            Files.createDirectories(dir);
            try (CqlSession cql = cassandra()) {
                if (!reuse) {
                    long t0 = System.nanoTime();
                    Sink snapSink = new CassandraSink(cql, SiteId.of("bench-snap"));
                    write(SiteId.of("bench-snap"), events, every, snapSink);
                    Sink fullSink = new CassandraSink(cql, SiteId.of("bench-full"));
                    write(SiteId.of("bench-full"), events, 0, fullSink);
                    System.out.printf("wrote 2 x %,d events to Cassandra in %.1f s%n", events,
                            (System.nanoTime() - t0) / 1e9);
                }
                for (String site : List.of("bench-snap", "bench-full")) {
                    cql.execute(SimpleStatement.newInstance("DELETE FROM atoll_snapshot.snapshots WHERE persistence_id = ?"
                            + " AND sequence_nr > ?", pid(SiteId.of(site)),
                            site.endsWith("snap") ? lastSnapshot(events, every) : 0L));
                }
            }
            recoverAll("cassandra", dir, events, every, only);
            return;
        }
        if (reuse) {
            recoverAll(dir, events, every, only);
            return;
        }
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        H2Schema.ensure(dir.resolve("journal"));
        long t0 = System.nanoTime();
        try (H2Sink sink = new H2Sink(dir, SiteId.of("bench-snap"))) {
            write(SiteId.of("bench-snap"), events, every, sink);
        }
        try (H2Sink sink = new H2Sink(dir, SiteId.of("bench-full"))) {
            write(SiteId.of("bench-full"), events, 0, sink);
        }
        System.out.printf("wrote 2 x %,d events in %.1f s%n", events, (System.nanoTime() - t0) / 1e9);

        recoverAll(dir, events, every, only);
    }

    private static void recoverAll(Path dir, long events, int every, String only) throws Exception {
        recoverAll("h2", dir, events, every, only);
    }

    private static void recoverAll(String journal, Path dir, long events, int every, String only) throws Exception {
        if (!List.of("both", "snap", "full").contains(only)) {
            throw new IllegalArgumentException("--only must be snap or full, not '" + only + "'");
        }
        if (journal.equals("h2")) {
            restoreH2Snapshots(dir, events, every);
        }
        ActorTestKit kit = ActorTestKit.create("recovery-bench", Journals.systemConfig(journal, dir, ""));
        try {
            // Journal and snapshot plugins, Kryo and the agent's classes start lazily with the first entity; a
            // node pays that once at start, not per recovery, so it is timed apart.
            long w0 = System.nanoTime();
            recover(kit, SiteId.of("bench-empty-" + System.currentTimeMillis()), 0, every);
            System.out.printf("journal=%s plugin start (first, empty SiteAgent) %.2f s%n", journal,
                    (System.nanoTime() - w0) / 1e9);
            if (!only.equals("full")) {
                recover(kit, SiteId.of("bench-snap"), events, every);
            }
            if (!only.equals("snap")) {
                recover(kit, SiteId.of("bench-full"), events, every);
            }
        } finally {
            kit.shutdownTestKit();
        }
    }

    /** Opens the H2 file (timed) and deletes snapshots newer than the layout this bench claims. */
    private static void restoreH2Snapshots(Path dir, long events, int every) throws Exception {
        long t0 = System.nanoTime();
        try (Connection c = DriverManager.getConnection(H2Schema.url(dir.resolve("journal")), "sa", "")) {
            c.createStatement().executeQuery("SELECT COUNT(*) FROM \"snapshot\"").close();
        }
        System.out.printf("opened the H2 journal in %.2f s%n", (System.nanoTime() - t0) / 1e9);
        // Earlier runs' agents may have left newer snapshots; restore the layout this bench claims.
        try (Connection c = DriverManager.getConnection(H2Schema.url(dir.resolve("journal")), "sa", "");
             PreparedStatement del = c.prepareStatement(
                     "DELETE FROM \"snapshot\" WHERE \"persistence_id\" = ? AND \"sequence_number\" > ?")) {
            del.setString(1, "SiteAgent|bench-snap");
            del.setLong(2, lastSnapshot(events, every));
            del.executeUpdate();
            del.setString(1, "SiteAgent|bench-full");
            del.setLong(2, 0);
            del.executeUpdate();
        }
    }

    private static SiteSpec spec(SiteId site) {
        return new SiteSpec(site, SPEC_TEMPLATE.region(), SPEC_TEMPLATE.pools());
    }

    private static void recover(ActorTestKit kit, SiteId site, long events, int every) {
        SiteAgent.Settings s = new SiteAgent.Settings(spec(site), PackingPolicy.byName("first-fit"),
                Duration.ofMinutes(10), 1.0, Duration.ofSeconds(1), false, 100_000, 0.0, 0L, 0);
        TestProbe<LedgerView> probe = kit.createTestProbe();
        long t0 = System.nanoTime();
        ActorRef<dev.atoll.protocol.negotiation.SiteAgentCommand> agent = kit.spawn(SiteAgent.create(s, null));
        agent.tell(new GetLedger(probe.getRef()));
        LedgerView v = probe.receiveMessage(Duration.ofMinutes(5));
        double seconds = (System.nanoTime() - t0) / 1e9;
        boolean snap = site.value().endsWith("snap");
        if (events == 0) {
            kit.stop(agent, Duration.ofSeconds(30));
            return;
        }
        System.out.printf("site=%s events=%d snapshot=%s replayed-after-snapshot=%d recovery=%.2f s"
                        + " version=%d allocations=%d%n", site, events, snap ? "yes" : "no",
                snap ? events - lastSnapshot(events, every) : events, seconds, v.version(), v.allocations().size());
        if (v.version() != events) {
            throw new IllegalStateException("recovered version " + v.version() + " != events written " + events);
        }
        kit.stop(agent, Duration.ofSeconds(30));
    }

    private static long lastSnapshot(long events, int every) {
        return every <= 0 ? 0 : ((events - 1) / every) * every;
    }

    private static String pid(SiteId site) {
        return PersistenceId.ofUniqueId("SiteAgent|" + site.value()).id();
    }

    /** Where the generated journal goes: one event row at a time, plus the snapshot. */
    private interface Sink {
        void event(long seq, long timestampMillis, byte[] payload) throws Exception;

        void snapshot(long seq, byte[] payload) throws Exception;

        void flush() throws Exception;
    }

    /** Batched JDBC inserts into the H2 journal file (the plugin's table layout). */
    private static final class H2Sink implements Sink, AutoCloseable {
        private final String pid;
        private final Connection c;
        private final PreparedStatement ins;

        H2Sink(Path dir, SiteId site) throws Exception {
            this.pid = pid(site);
            this.c = DriverManager.getConnection(H2Schema.url(dir.resolve("journal")), "sa", "");
            c.setAutoCommit(false);
            this.ins = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\","
                    + " \"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\","
                    + " \"event_ser_id\", \"event_ser_manifest\") VALUES (?, ?, 'bench', ?, '', ?, ?, '')");
        }

        @Override
        public void event(long seq, long timestampMillis, byte[] payload) throws Exception {
            ins.setString(1, pid);
            ins.setLong(2, seq);
            ins.setLong(3, timestampMillis);
            ins.setBytes(4, payload);
            ins.setInt(5, AtollKryoSerializer.IDENTIFIER);
            ins.addBatch();
            if (seq % 10_000 == 0) {
                flush();
            }
        }

        @Override
        public void snapshot(long seq, byte[] payload) throws Exception {
            try (PreparedStatement st = c.prepareStatement("INSERT INTO \"snapshot\" (\"persistence_id\","
                    + " \"sequence_number\", \"created\", \"snapshot_ser_id\", \"snapshot_ser_manifest\","
                    + " \"snapshot_payload\") VALUES (?, ?, ?, ?, '', ?)")) {
                st.setString(1, pid);
                st.setLong(2, seq);
                st.setLong(3, System.currentTimeMillis());
                st.setInt(4, AtollKryoSerializer.IDENTIFIER);
                st.setBytes(5, payload);
                st.executeUpdate();
            }
        }

        @Override
        public void flush() throws Exception {
            ins.executeBatch();
            c.commit();
        }

        @Override
        public void close() throws Exception {
            ins.close();
            c.close();
        }
    }

    /**
     * Asynchronous inserts (at most 256 in flight) into pekko-persistence-cassandra's {@code messages} table, in
     * its layout: partition {@code (seq - 1) / 500,000} (the plugin's default target-partition-size).
     * Deletes what an earlier run left for the same persistence id first.
     */
    private static final class CassandraSink implements Sink {
        private static final long PARTITION = 500_000;
        private final CqlSession cql;
        private final String pid;
        private final com.datastax.oss.driver.api.core.cql.PreparedStatement ins;
        private final java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(256);
        private final java.util.concurrent.atomic.AtomicReference<Throwable> failed =
                new java.util.concurrent.atomic.AtomicReference<>();
        private final String writer = java.util.UUID.randomUUID().toString();

        CassandraSink(CqlSession cql, SiteId site) {
            this.cql = cql;
            this.pid = pid(site);
            for (long p = 0; p < 4; p++) {
                cql.execute(SimpleStatement.newInstance(
                        "DELETE FROM atoll_journal.messages WHERE persistence_id = ? AND partition_nr = ?", pid, p));
            }
            cql.execute(SimpleStatement.newInstance("DELETE FROM atoll_snapshot.snapshots WHERE persistence_id = ?", pid));
            this.ins = cql.prepare("INSERT INTO atoll_journal.messages (persistence_id, partition_nr, sequence_nr,"
                    + " timestamp, timebucket, writer_uuid, ser_id, ser_manifest, event_manifest, event)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, '', '', ?)");
        }

        @Override
        public void event(long seq, long timestampMillis, byte[] payload) throws Exception {
            Throwable t = failed.get();
            if (t != null) {
                throw new IllegalStateException("a Cassandra insert failed: " + t, t);
            }
            inFlight.acquire();
            cql.executeAsync(ins.bind(pid, (seq - 1) / PARTITION, seq,
                    com.datastax.oss.driver.api.core.uuid.Uuids.startOf(timestampMillis), "bench", writer,
                    AtollKryoSerializer.IDENTIFIER, java.nio.ByteBuffer.wrap(payload)))
                    .whenComplete((r, e) -> {
                        if (e != null) {
                            failed.compareAndSet(null, e);
                        }
                        inFlight.release();
                    });
        }

        @Override
        public void snapshot(long seq, byte[] payload) {
            cql.execute(SimpleStatement.newInstance("INSERT INTO atoll_snapshot.snapshots (persistence_id,"
                    + " sequence_nr, timestamp, ser_manifest, ser_id, snapshot_data) VALUES (?, ?, ?, '', ?, ?)",
                    pid, seq, System.currentTimeMillis(), AtollKryoSerializer.IDENTIFIER, java.nio.ByteBuffer.wrap(payload)));
        }

        @Override
        public void flush() throws Exception {
            inFlight.acquire(256);
            inFlight.release(256);
            Throwable t = failed.get();
            if (t != null) {
                throw new IllegalStateException("a Cassandra insert failed: " + t, t);
            }
        }
    }

    private static CqlSession cassandra() {
        Journals.requireCassandra();
        com.typesafe.config.Config c = com.typesafe.config.ConfigFactory.load(
                com.typesafe.config.ConfigFactory.parseResources("atoll-cassandra.conf"));
        return CqlSession.builder().addContactPoint(Journals.cassandraContactPoint())
                .withLocalDatacenter(c.getString("atoll.cassandra.local-datacenter")).build();
    }

    /** Writes {@code events} valid events for {@code site}, and the snapshot the agent would have taken last. */
    private static void write(SiteId site, long events, int every, Sink sink) throws Exception {
        AtollKryoSerializer kryo = new AtollKryoSerializer();
        SiteSpec spec = spec(site);
        SiteLedger ledger = new SiteLedger(spec);
        PackingPolicy policy = PackingPolicy.byName("first-fit");
        LinkedHashMap<JobId, AllocationStatus> ended = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<JobId, AllocationStatus> e) {
                return size() > 100_000;
            }
        };
        ArrayDeque<JobId> running = new ArrayDeque<>();
        long snapAt = lastSnapshot(events, every);
        long base = System.currentTimeMillis();
        long seq = 0;
        long job = 0;
        List<SiteEvent> cycle = new ArrayList<>(3);
        while (seq < events) {
            cycle.clear();
            if (running.size() >= 400) {
                JobId old = running.poll();
                cycle.add(new AllocationReleased(old, 1, WorkloadEnded.Outcome.COMPLETED, base + seq, ""));
            } else {
                JobId id = JobId.of("job-" + job++);
                JobSpec js = JobSpec.builder(id.value(), "vc").devices(1).models("H800").durationSeconds(60)
                        .build();
                PlacementResult.Fit fit = (PlacementResult.Fit) ledger.find(js, policy);
                HoldId hold = HoldId.of(id.value() + ":e1:d60");
                cycle.add(new HoldCreated(hold, id, 1, fit.placement(), base + seq + 600_000));
                cycle.add(new AllocationCommitted(hold, id, 1, base + seq, base + seq + 60_000));
                running.add(id);
            }
            for (SiteEvent e : cycle) {
                if (seq >= events) {
                    break;
                }
                ledger.apply(e);
                seq++;
                if (e instanceof AllocationReleased r) {
                    ended.put(r.job(), new AllocationStatus(r.job(), r.epoch(), site,
                            AllocationStatus.State.ENDED, r.outcome(), r.atMillis()));
                }
                sink.event(seq, base + seq, kryo.toBinary(e));
                if (seq == snapAt) {
                    sink.snapshot(seq, kryo.toBinary(SiteLedgerSnapshot.of(ledger, seq, new ArrayList<>(ended.values()),
                            List.of())));
                }
            }
        }
        sink.flush();
    }
}
