package dev.atoll.federationnode.demo;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * A plain-text progress bar on stderr. On a terminal it redraws one line with {@code \r} about five times
 * a second; otherwise it prints a full line every {@code interval} seconds, so logs stay readable.
 */
public final class ProgressBar implements AutoCloseable {
    /**
     * What to draw.
     *
     * @param phase short label, e.g. {@code submit} or {@code settle}
     * @param done units done
     * @param total units in all
     * @param detail text after the bar
     */
    public record State(String phase, int done, int total, String detail) {
    }

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean tty;
    private final long intervalNanos;
    private final Supplier<State> state;
    private final long startNanos = System.nanoTime();
    private final Thread thread;
    private volatile boolean running = true;
    private int lastLength;

    /**
     * Starts drawing.
     *
     * @param err where to draw (stderr)
     * @param tty true to redraw one line with {@code \r}
     * @param intervalSeconds seconds between lines when not a terminal
     * @param state called on every draw
     */
    public ProgressBar(PrintWriter err, boolean tty, double intervalSeconds, Supplier<State> state) {
        this.err = err;
        this.tty = tty;
        this.intervalNanos = (long) ((tty ? 0.2 : intervalSeconds) * 1e9);
        this.state = state;
        this.thread = new Thread(this::loop, "atoll-demo-progress");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** @return true when stderr is a terminal: {@code ATOLL_TTY=1} (set by bin/atoll) or a console is attached */
    public static boolean stderrIsTerminal() {
        String env = System.getenv("ATOLL_TTY");
        if (env != null) {
            return env.equals("1");
        }
        return System.console() != null;
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(intervalNanos / 1_000_000);
            } catch (InterruptedException e) {
                return;
            }
            if (running) {
                draw(false);
            }
        }
    }

    private synchronized void draw(boolean last) {
        String line = render(state.get(), (System.nanoTime() - startNanos) / 1e9);
        if (tty) {
            int pad = Math.max(0, lastLength - line.length());
            err.print("\r" + line + " ".repeat(pad));
            lastLength = line.length();
            if (last) {
                err.println();
            }
        } else {
            err.println(line);
        }
        err.flush();
    }

    /** @return the bar text for {@code s} after {@code elapsed} seconds, e.g. {@code submit [=====>    ] 50% 300/600 ...} */
    public static String render(State s, double elapsed) {
        double f = s.total() <= 0 ? 1 : Math.min(1, (double) s.done() / s.total());
        int filled = (int) Math.round(f * WIDTH);
        StringBuilder bar = new StringBuilder();
        for (int i = 0; i < WIDTH; i++) {
            bar.append(i < filled ? '=' : (i == filled ? '>' : ' '));
        }
        return String.format(Locale.ROOT, "%-6s [%s] %3.0f%% %d/%d %s %.0f s", s.phase(), bar, 100 * f, s.done(),
                s.total(), s.detail(), elapsed);
    }

    /** Draws the final state once and stops; on a terminal ends the line. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        draw(true);
    }
}
