package dev.atoll.federationnode.cli;

import dev.atoll.federationnode.NodeMain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code atoll node --site <file>}: runs one node in this JVM until it is stopped (delegates to {@link NodeMain}). */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = {"Run one Atoll node (a Pekko Cluster member with the HTTP API) from a site file.",
                "Prints 'atoll node <site> up: http://<host>:<http-port>' once it joined the cluster and bound its "
                        + "HTTP port, then runs until stopped (Ctrl-C)."})
final class NodeCommand implements Callable<Integer> {
    @Option(names = {"--site", "-s"}, required = true, paramLabel = "<file>",
            description = "Site file (HOCON, atoll.site { id, region, host, port, http-port, seed-nodes, pools, ... }).")
    Path site;

    /**
     * Runs the node; a wrong or missing site file ends the JVM with exit code 2 and one line
     * {@code <file>: <key>: <reason>} on stderr (printed by {@link NodeMain#main}).
     */
    @Override
    public Integer call() {
        NodeMain.main(new String[] {"--site", site.toString()});
        return AtollCli.OK;
    }
}
