package dev.atoll.federationnode.cli;

import picocli.CommandLine.Option;

/** Options every HTTP client subcommand shares: which node to talk to and how to print. */
final class NodeOptions {
    /** Default node URL when neither {@code --url} nor {@code ATOLL_URL} is given. */
    static final String DEFAULT_URL = "http://127.0.0.1:8081";

    @Option(names = {"--url", "-u"}, paramLabel = "<url>", defaultValue = "${env:ATOLL_URL:-" + DEFAULT_URL + "}",
            description = "Node HTTP API base URL (default: $ATOLL_URL or ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--json", description = "Print the node's JSON response as is.")
    boolean json;

    /** @return a client for {@code --url} */
    AtollClient client() {
        return AtollClient.of(url);
    }
}
