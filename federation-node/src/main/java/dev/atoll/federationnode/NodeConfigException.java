package dev.atoll.federationnode;

/**
 * A site file is wrong. The message reads {@code <file>: <key>: <reason>}, e.g.
 * {@code site.conf: atoll.site.pools[0].devices-per-node: must be in [1, 64], got 0}.
 */
public final class NodeConfigException extends IllegalArgumentException {
    private final String file;
    private final String key;
    private final String reason;

    /**
     * @param file the file name as given (or a description of the source)
     * @param key the full config path of the offending key
     * @param reason what is wrong, with the offending value
     */
    public NodeConfigException(String file, String key, String reason) {
        super(file + ": " + key + ": " + reason);
        this.file = file;
        this.key = key;
        this.reason = reason;
    }

    /** @return the file (or source) that holds the error */
    public String file() {
        return file;
    }

    /** @return the full config path of the offending key, e.g. {@code atoll.site.pools[0].nodes} */
    public String key() {
        return key;
    }

    /** @return what is wrong with it */
    public String reason() {
        return reason;
    }
}
