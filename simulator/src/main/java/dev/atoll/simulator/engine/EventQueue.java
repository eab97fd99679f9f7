package dev.atoll.simulator.engine;

import java.util.PriorityQueue;

/**
 * The simulation's future event list, ordered by (time, type priority, serial): events at the same
 * virtual second run in type order, and events of the same type in the order they were scheduled
 * (serial), so runs are deterministic (the same tie-breaking as CloudSim Plus' FutureQueue).
 *
 * @param <T> payload type
 */
public final class EventQueue<T> {
    /**
     * One scheduled event.
     *
     * @param timeSeconds virtual time, seconds from trace start
     * @param typePriority lower runs first among events at the same time
     * @param serial scheduling order, unique per queue
     * @param payload what happens
     */
    public record Entry<T>(long timeSeconds, int typePriority, long serial, T payload) implements Comparable<Entry<T>> {
        @Override
        public int compareTo(Entry<T> o) {
            int c = Long.compare(timeSeconds, o.timeSeconds);
            if (c != 0) {
                return c;
            }
            c = Integer.compare(typePriority, o.typePriority);
            return c != 0 ? c : Long.compare(serial, o.serial);
        }
    }

    private final PriorityQueue<Entry<T>> heap = new PriorityQueue<>();
    private long serial;

    /**
     * Schedules {@code payload} at {@code timeSeconds}.
     *
     * @throws IllegalArgumentException if timeSeconds is negative
     */
    public void add(long timeSeconds, int typePriority, T payload) {
        if (timeSeconds < 0) {
            throw new IllegalArgumentException("event time must be >= 0 seconds, got " + timeSeconds);
        }
        heap.add(new Entry<>(timeSeconds, typePriority, serial++, payload));
    }

    /** @return the next event without removing it, or null when empty */
    public Entry<T> peek() {
        return heap.peek();
    }

    /** @return the next event, or null when empty */
    public Entry<T> poll() {
        return heap.poll();
    }

    /** @return true if no event is scheduled */
    public boolean isEmpty() {
        return heap.isEmpty();
    }

    /** @return events scheduled */
    public int size() {
        return heap.size();
    }
}
