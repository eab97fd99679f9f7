package dev.atoll.simulator.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventQueueAndSeriesTest {
    @Test
    void tiesBreakByTypeThenSchedulingOrder() {
        EventQueue<String> q = new EventQueue<>();
        q.add(5, 3, "arrival-1");
        q.add(5, 0, "completion-1");
        q.add(2, 3, "early");
        q.add(5, 3, "arrival-2");
        q.add(5, 0, "completion-2");
        q.add(5, 1, "failure");
        List<String> order = new ArrayList<>();
        while (!q.isEmpty()) {
            order.add(q.poll().payload());
        }
        assertThat(order).containsExactly("early", "completion-1", "completion-2", "failure", "arrival-1", "arrival-2");
        assertThatThrownBy(() -> q.add(-1, 0, "x")).hasMessageContaining("-1");
    }

    @Test
    void stepSeriesKeepsChangesAndAveragesOverTime() {
        StepSeries s = new StepSeries();
        s.add(0, 1.0);
        s.add(5, 1.0);   // no change: not stored
        s.add(10, 0.5);
        s.add(10, 0.25); // same time: replaces
        s.add(20, 0.0);
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.valueAt(9)).isEqualTo(1.0);
        assertThat(s.valueAt(10)).isEqualTo(0.25);
        assertThat(s.valueAt(100)).isEqualTo(0.0);
        // (10 x 1.0 + 10 x 0.25 + 20 x 0) / 40
        assertThat(s.mean(0, 40)).isEqualTo(12.5 / 40);
        assertThat(s.mean(5, 15)).isEqualTo((5 * 1.0 + 5 * 0.25) / 10);
        assertThatThrownBy(() -> s.add(19, 1)).hasMessageContaining("backwards");
    }
}
