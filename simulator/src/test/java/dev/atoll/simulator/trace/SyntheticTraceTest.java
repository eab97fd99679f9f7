package dev.atoll.simulator.trace;

import dev.atoll.simulator.DataFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The synthetic generator fitted to Philly: deterministic per seed, and its marginals match the source. */
class SyntheticTraceTest {
    static TraceReadResult philly;
    static SyntheticTrace fitted;

    @BeforeAll
    static void read() {
        philly = PhillyTraceReader.read(DataFiles.require("philly/philly.csv"));
        fitted = SyntheticTrace.fit(philly);
    }

    @Test
    void sameSeedSameTraceOtherSeedOtherTrace() {
        List<TraceTask> a = fitted.generate(5000, 42).toList();
        List<TraceTask> b = fitted.generate(5000, 42).toList();
        List<TraceTask> c = fitted.generate(5000, 43).toList();
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
        assertThat(a.get(0).id()).isEqualTo("syn-0");
        for (int i = 1; i < a.size(); i++) {
            assertThat(a.get(i).arrivalSeconds()).isGreaterThanOrEqualTo(a.get(i - 1).arrivalSeconds());
        }
    }

    @Test
    void fittedMarginalsAreCloseToTheSource() {
        List<TraceTask> src = philly.tasks();
        int n = 400_000;
        long[] srcDur = src.stream().mapToLong(TraceTask::durationSeconds).sorted().toArray();
        double srcOneGpu = src.stream().filter(t -> t.devices() == 1).count() / (double) src.size();
        double srcMeanDevices = src.stream().mapToInt(TraceTask::devices).average().orElseThrow();
        long[] srcHours = hourShares(src.iterator());
        long srcSpan = src.get(src.size() - 1).arrivalSeconds() - src.get(0).arrivalSeconds();

        long[] dur = new long[n];
        long oneGpu = 0;
        long devSum = 0;
        long[] hours = new long[24];
        long lastArrival = 0;
        int i = 0;
        for (Iterator<TraceTask> it = fitted.iterator(n, 7); it.hasNext(); i++) {
            TraceTask t = it.next();
            dur[i] = t.durationSeconds();
            oneGpu += t.devices() == 1 ? 1 : 0;
            devSum += t.devices();
            hours[(int) (t.arrivalSeconds() / 3600 % 24)]++;
            lastArrival = t.arrivalSeconds();
        }
        Arrays.sort(dur);
        // The source, as read: 82,247 tasks over ~108 days; 1-GPU jobs dominate.
        assertThat(src).hasSize(82_247);
        assertThat(srcOneGpu).isCloseTo(0.9317, within(0.0001)); // measured on philly.csv
        assertThat(oneGpu / (double) n).isCloseTo(srcOneGpu, within(0.005));
        assertThat(devSum / (double) n).isCloseTo(srcMeanDevices, within(0.03 * srcMeanDevices));
        for (double q : new double[] {0.25, 0.5, 0.75, 0.9}) {
            long s = srcDur[(int) (q * (srcDur.length - 1))];
            long g = dur[(int) (q * (n - 1))];
            assertThat((double) g).as("duration quantile %s", q).isCloseTo(s, within(0.05 * s + 1));
        }
        // Hour-of-day shares within 0.5 percentage points.
        for (int h = 0; h < 24; h++) {
            assertThat(hours[h] / (double) n).as("hour %d share", h)
                    .isCloseTo(srcHours[h] / (double) src.size(), within(0.005));
        }
        // Mean rate: n jobs take about n / (source jobs per second) seconds.
        double srcRate = src.size() / (double) srcSpan;
        assertThat(fitted.meanRatePerSecond()).isCloseTo(srcRate, within(0.03 * srcRate));
        assertThat(lastArrival / (double) n).isCloseTo(1 / srcRate, within(0.03 / srcRate));
    }

    @Test
    void scaledToLoadOffersThatShareOfTheFleet() {
        SyntheticTrace s = fitted.scaledToLoad(0.8, 50_000);
        assertThat(s.meanRatePerSecond() * s.rateScale() * s.meanDeviceSeconds()).isCloseTo(40_000, within(1e-6));
        assertThat(s.rateScale()).isGreaterThan(1);
        assertThatThrownBy(() -> fitted.scaledToLoad(0, 10)).hasMessageContaining("load must be > 0").hasMessageContaining("0.0");
        assertThatThrownBy(() -> fitted.iterator(-1, 1)).hasMessageContaining("n must be >= 0, got -1");
        assertThatThrownBy(() -> SyntheticTrace.fit(List.of())).hasMessageContaining("no task");
    }

    private static long[] hourShares(Iterator<TraceTask> it) {
        long[] h = new long[24];
        while (it.hasNext()) {
            h[(int) (it.next().arrivalSeconds() / 3600 % 24)]++;
        }
        return h;
    }
}
