package dev.atoll.federationnode.demo;

/**
 * A stand-in node process for {@link NodeProcessTest} and {@link LocalFederationTest}: prints the "up"
 * line for {@code --site <dir>/<id>.conf} (the file name without {@code .conf} is the site id) and blocks.
 * A site id containing {@code crash} exits with code 3 instead. With {@code ATOLL_FAKE_STUBBORN=1} its shutdown hook
 * blocks for a minute, so SIGTERM alone does not end it.
 */
public final class FakeNodeMain {
    private FakeNodeMain() {
    }

    /** @param args {@code --site <id>} */
    public static void main(String[] args) throws Exception {
        String site = java.nio.file.Path.of(args[1]).getFileName().toString().replaceFirst("\\.conf$", "");
        if ("1".equals(System.getenv("ATOLL_FAKE_STUBBORN")) || site.contains("stubborn")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        if (site.contains("crash")) {
            System.out.println("boom: cannot start " + site);
            System.exit(3);
        }
        System.out.println("starting " + site);
        System.out.println("atoll node " + site + " up: http://127.0.0.1:1");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
