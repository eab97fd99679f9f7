package dev.atoll.simulator.engine;

import java.util.Arrays;

/**
 * The simulation's pending completions as a binary min-heap over primitive columns, ordered by (time, serial):
 * 24 bytes per scheduled completion instead of an event object, its payload and a queue slot. Serial numbers
 * are given in scheduling order, so completions at the same second run in the order their jobs started, as
 * they did in the object {@link EventQueue}. Completions run before every other event type at the same second
 * (they had the lowest type priority there), so the engine drains this heap first at each second.
 *
 * <p>Not thread-safe.
 */
final class CompletionHeap {
    private long[] time = new long[16];
    private long[] serial = new long[16];
    private int[] slot = new int[16];
    private int[] epoch = new int[16];
    private int size;
    private long nextSerial;

    /**
     * Schedules the completion of the job in {@code jobSlot}'s attempt {@code jobEpoch} at {@code atSeconds}.
     *
     * @throws IllegalArgumentException if atSeconds is negative
     */
    void add(long atSeconds, int jobSlot, int jobEpoch) {
        if (atSeconds < 0) {
            throw new IllegalArgumentException("event time must be >= 0 seconds, got " + atSeconds);
        }
        if (size == time.length) {
            int n = size + (size >> 1);
            time = Arrays.copyOf(time, n);
            serial = Arrays.copyOf(serial, n);
            slot = Arrays.copyOf(slot, n);
            epoch = Arrays.copyOf(epoch, n);
        }
        int i = size++;
        long s = nextSerial++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(atSeconds, s, time[parent], serial[parent])) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        set(i, atSeconds, s, jobSlot, jobEpoch);
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** @return the time of the first completion; only when not empty */
    long peekTime() {
        return time[0];
    }

    /** @return the slot of the first completion; only when not empty */
    int peekSlot() {
        return slot[0];
    }

    /** @return the epoch of the first completion; only when not empty */
    int peekEpoch() {
        return epoch[0];
    }

    /** Removes the first completion; only when not empty. */
    void poll() {
        int last = --size;
        if (last == 0) {
            return;
        }
        long t = time[last];
        long s = serial[last];
        int sl = slot[last];
        int ep = epoch[last];
        int i = 0;
        int half = last >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < last && less(time[right], serial[right], time[child], serial[child])) {
                child = right;
            }
            if (!less(time[child], serial[child], t, s)) {
                break;
            }
            move(child, i);
            i = child;
        }
        set(i, t, s, sl, ep);
    }

    private static boolean less(long t1, long s1, long t2, long s2) {
        return t1 < t2 || (t1 == t2 && s1 < s2);
    }

    private void move(int from, int to) {
        time[to] = time[from];
        serial[to] = serial[from];
        slot[to] = slot[from];
        epoch[to] = epoch[from];
    }

    private void set(int i, long t, long s, int sl, int ep) {
        time[i] = t;
        serial[i] = s;
        slot[i] = sl;
        epoch[i] = ep;
    }
}
