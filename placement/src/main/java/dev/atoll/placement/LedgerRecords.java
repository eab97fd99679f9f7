package dev.atoll.placement;

import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The holds and allocations of one {@link SiteLedger}, stored as columns (struct of arrays) instead of one
 * object graph per record ({@code Hold}/{@code Allocation} + {@code Placement} + {@code NodeShare}s + device
 * lists + map entry: several hundred bytes). A record is a slot number; per slot: job id text, hold id, epoch,
 * two times (a hold's expiry; an allocation's start and end, epoch milliseconds), the placement's devices, and
 * links of a doubly linked list (holds in creation order, allocations in commit order; free slots chained
 * through {@code next}). About 60 bytes per live record, plus the allocation index.
 *
 * <p>Devices: a placement on one node whose devices all have indexes below 32 is packed into one {@code long}
 * ({@code where}: bits 0..31 device mask, 32..52 node, 53..62 thousandths per device); any other placement
 * ({@code where = -1}) keeps per node two longs in {@code extra}: {@code node << 11 | milli} and the 64-bit
 * device mask (a node has at most 64 devices, {@link dev.atoll.protocol.PoolSpec}). Device lists are ascending
 * (the ledger checks this before storing), so the mask loses nothing: {@link #placement} rebuilds an equal
 * {@link Placement}.
 *
 * <p>Allocations are found by job id through an open-addressing hash table (linear probing, backward-shift
 * deletion, load at most 3/4). Holds are found through the ledger's own map (they are few and short-lived).
 * Not thread-safe.
 */
final class LedgerRecords {
    private static final int MAX_COMPACT_NODE = (1 << 21) - 1;

    String[] job = new String[8];
    HoldId[] hold = new HoldId[8];
    long[] epoch = new long[8];
    long[] timeA = new long[8];
    long[] timeB = new long[8];
    long[] where = new long[8];
    long[][] extra = new long[8][];
    int[] next = new int[8];
    int[] prev = new int[8];
    int slots; // slots ever used (high-water mark)
    int freeHead = -1;
    int holdHead = -1;
    int holdTail = -1;
    int allocHead = -1;
    int allocTail = -1;
    int allocations;
    private int[] index = new int[16]; // slot + 1 of an allocation, 0 = empty
    private int indexMask = 15;

    LedgerRecords copy() {
        LedgerRecords c = new LedgerRecords();
        c.job = job.clone();
        c.hold = hold.clone();
        c.epoch = epoch.clone();
        c.timeA = timeA.clone();
        c.timeB = timeB.clone();
        c.where = where.clone();
        c.extra = extra.clone(); // the long[]s are never changed once stored, so they can be shared
        c.next = next.clone();
        c.prev = prev.clone();
        c.slots = slots;
        c.freeHead = freeHead;
        c.holdHead = holdHead;
        c.holdTail = holdTail;
        c.allocHead = allocHead;
        c.allocTail = allocTail;
        c.allocations = allocations;
        c.index = index.clone();
        c.indexMask = indexMask;
        return c;
    }

    static int node(long where) {
        return (int) ((where >>> 32) & MAX_COMPACT_NODE);
    }

    static int milli(long where) {
        return (int) ((where >>> 53) & 0x3FF);
    }

    static long mask(long where) {
        return where & 0xFFFF_FFFFL;
    }

    static int shareNode(long head) {
        return (int) (head >>> 11);
    }

    static int shareMilli(long head) {
        return (int) (head & 0x7FF);
    }

    /** Stores a new hold at the tail of the hold list; returns its slot. */
    int addHold(HoldId id, String jobId, long ep, Placement p, long expiresAtMillis) {
        int r = allocateSlot();
        job[r] = jobId;
        hold[r] = id;
        epoch[r] = ep;
        timeA[r] = expiresAtMillis;
        timeB[r] = 0;
        encode(r, p);
        prev[r] = holdTail;
        next[r] = -1;
        if (holdTail >= 0) {
            next[holdTail] = r;
        } else {
            holdHead = r;
        }
        holdTail = r;
        return r;
    }

    /** Turns hold {@code r} into an allocation at the tail of the allocation list. */
    void commit(int r, long startedAtMillis, long endsAtMillis) {
        unlinkHold(r);
        timeA[r] = startedAtMillis;
        timeB[r] = endsAtMillis;
        prev[r] = allocTail;
        next[r] = -1;
        if (allocTail >= 0) {
            next[allocTail] = r;
        } else {
            allocHead = r;
        }
        allocTail = r;
        allocations++;
        indexPut(r);
    }

    void removeHold(int r) {
        unlinkHold(r);
        freeSlot(r);
    }

    void removeAllocation(int r) {
        indexRemove(r);
        if (prev[r] >= 0) {
            next[prev[r]] = next[r];
        } else {
            allocHead = next[r];
        }
        if (next[r] >= 0) {
            prev[next[r]] = prev[r];
        } else {
            allocTail = prev[r];
        }
        allocations--;
        freeSlot(r);
    }

    /** @return the slot of the allocation of {@code jobId}, or -1 */
    int findAllocation(String jobId) {
        int i = spread(jobId.hashCode()) & indexMask;
        while (true) {
            int v = index[i];
            if (v == 0) {
                return -1;
            }
            if (job[v - 1].equals(jobId)) {
                return v - 1;
            }
            i = (i + 1) & indexMask;
        }
    }

    /** @return the placement of record {@code r}, rebuilt (equal to the one stored) */
    Placement placement(int r, SiteLedger ledger) {
        long w = where[r];
        if (w >= 0) {
            int node = node(w);
            return new Placement(ledger.site(), ledger.model(node), List.of(share(node, milli(w), mask(w))));
        }
        long[] e = extra[r];
        List<NodeShare> shares = new ArrayList<>(e.length / 2);
        for (int i = 0; i < e.length; i += 2) {
            shares.add(share(shareNode(e[i]), shareMilli(e[i]), e[i + 1]));
        }
        return new Placement(ledger.site(), ledger.model(shareNode(e[0])), shares);
    }

    private static NodeShare share(int node, int milli, long mask) {
        List<Integer> devices = new ArrayList<>(Long.bitCount(mask));
        for (long m = mask; m != 0; m &= m - 1) {
            devices.add(Long.numberOfTrailingZeros(m));
        }
        return new NodeShare(node, devices, milli);
    }

    private void encode(int r, Placement p) {
        List<NodeShare> shares = p.shares();
        if (shares.size() == 1) {
            NodeShare s = shares.get(0);
            long mask = 0;
            boolean compact = s.node() <= MAX_COMPACT_NODE;
            for (int d : s.devices()) {
                if (d >= 32) {
                    compact = false;
                    break;
                }
                mask |= 1L << d;
            }
            if (compact) {
                where[r] = ((long) s.milli() << 53) | ((long) s.node() << 32) | mask;
                extra[r] = null;
                return;
            }
        }
        long[] e = new long[shares.size() * 2];
        for (int i = 0; i < shares.size(); i++) {
            NodeShare s = shares.get(i);
            long mask = 0;
            for (int d : s.devices()) {
                mask |= 1L << d;
            }
            e[2 * i] = ((long) s.node() << 11) | s.milli();
            e[2 * i + 1] = mask;
        }
        where[r] = -1;
        extra[r] = e;
    }

    private void unlinkHold(int r) {
        if (prev[r] >= 0) {
            next[prev[r]] = next[r];
        } else {
            holdHead = next[r];
        }
        if (next[r] >= 0) {
            prev[next[r]] = prev[r];
        } else {
            holdTail = prev[r];
        }
    }

    private int allocateSlot() {
        if (freeHead >= 0) {
            int r = freeHead;
            freeHead = next[r];
            return r;
        }
        if (slots == job.length) {
            int n = slots + (slots >> 1) + 1;
            job = Arrays.copyOf(job, n);
            hold = Arrays.copyOf(hold, n);
            epoch = Arrays.copyOf(epoch, n);
            timeA = Arrays.copyOf(timeA, n);
            timeB = Arrays.copyOf(timeB, n);
            where = Arrays.copyOf(where, n);
            extra = Arrays.copyOf(extra, n);
            next = Arrays.copyOf(next, n);
            prev = Arrays.copyOf(prev, n);
        }
        return slots++;
    }

    private void freeSlot(int r) {
        job[r] = null;
        hold[r] = null;
        extra[r] = null;
        next[r] = freeHead;
        prev[r] = -1;
        freeHead = r;
    }

    private static int spread(int h) {
        return (h ^ (h >>> 16)) * 0x9E3779B9;
    }

    private void indexPut(int r) {
        if (allocations * 4 > index.length * 3) {
            int[] old = index;
            index = new int[old.length * 2];
            indexMask = index.length - 1;
            for (int v : old) {
                if (v != 0) {
                    insert(v - 1);
                }
            }
        }
        insert(r);
    }

    private void insert(int r) {
        int i = spread(job[r].hashCode()) & indexMask;
        while (index[i] != 0) {
            i = (i + 1) & indexMask;
        }
        index[i] = r + 1;
    }

    private void indexRemove(int r) {
        int i = spread(job[r].hashCode()) & indexMask;
        while (index[i] != r + 1) {
            i = (i + 1) & indexMask;
        }
        // Backward-shift deletion keeps every probe sequence unbroken without tombstones.
        int gap = i;
        int j = i;
        while (true) {
            j = (j + 1) & indexMask;
            int v = index[j];
            if (v == 0) {
                break;
            }
            int home = spread(job[v - 1].hashCode()) & indexMask;
            // Move v into the gap if its home is not in (gap, j] cyclically.
            boolean between = gap <= j ? (home > gap && home <= j) : (home > gap || home <= j);
            if (!between) {
                index[gap] = v;
                gap = j;
            }
        }
        index[gap] = 0;
    }
}
