package dev.atoll.federationnode.demo;

import dev.atoll.protocol.Checks;

/**
 * Where one demo node listens.
 *
 * @param site site id the node serves
 * @param host host or IP both ports bind to (loopback in the demo)
 * @param port Pekko remoting (Artery) TCP port, 1..65535
 * @param httpPort HTTP API port, 1..65535
 */
public record NodeEndpoint(String site, String host, int port, int httpPort) {
    public NodeEndpoint {
        Checks.identifier("site", site);
        Checks.nonBlank("host", host);
        Checks.inRange("port", port, 1, 65535);
        Checks.inRange("httpPort", httpPort, 1, 65535);
    }

    /** @return the node's cluster address, {@code pekko://atoll@host:port} */
    public String seedAddress() {
        return "pekko://atoll@" + host + ":" + port;
    }

    /** @return the node's HTTP base URL, {@code http://host:httpPort} */
    public String url() {
        return "http://" + host + ":" + httpPort;
    }
}
