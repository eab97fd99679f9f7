package dev.atoll.federationnode.cli;

import dev.atoll.simulator.cli.SimCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code atoll}: the one entry point ({@code bin/atoll} runs this class). Subcommands: {@code node},
 * {@code demo}, {@code sim}, and the HTTP clients {@code submit}, {@code status}, {@code cancel},
 * {@code sites}.
 *
 * <p>Exit codes: 0 success; 1 failure (node unreachable, server error, demo failed); 2 bad usage or a
 * request the node refused as invalid (HTTP 400); 3 job not found (HTTP 404).
 */
@Command(name = "atoll", mixinStandardHelpOptions = true, versionProvider = AtollCli.Version.class,
        description = "Atoll: federate GPU compute sites. Run a node, the local demo, the simulator, or talk to "
                + "a node's HTTP API.",
        subcommands = {NodeCommand.class, DemoCommand.class, SubmitCommand.class, StatusCommand.class,
                CancelCommand.class, SitesCommand.class, DrainCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure (node unreachable, server error, demo failed)",
                "2:bad usage, or the node refused the request as invalid (HTTP 400)", "3:job not found (HTTP 404)"})
public final class AtollCli implements Runnable {
    /** Exit code: success. */
    public static final int OK = 0;
    /** Exit code: failure (node unreachable, server error, demo failed). */
    public static final int FAILED = 1;
    /** Exit code: bad usage or HTTP 400. */
    public static final int USAGE = 2;
    /** Exit code: not found (HTTP 404). */
    public static final int NOT_FOUND = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Prints usage when run without a subcommand. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /**
     * Builds the command line: the root command with every subcommand, including the simulator's
     * {@code sim}, and an exception handler that prints one line instead of a
     * stack trace for expected errors.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new AtollCli());
        cl.addSubcommand("sim", new SimCommand());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof IllegalArgumentException) {
                err.println("atoll " + cmd.getCommandName() + ": " + ex.getMessage());
                err.flush();
                return USAGE;
            }
            if (ex instanceof java.io.IOException || ex instanceof IllegalStateException) {
                err.println("atoll " + cmd.getCommandName() + ": " + ex.getMessage());
                err.flush();
                return FAILED;
            }
            throw ex;
        });
        return cl;
    }

    /**
     * Runs the CLI and exits with its exit code.
     *
     * @param args command line
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AtollCli.class.getPackage().getImplementationVersion();
            return new String[] {"atoll " + (v == null ? "0.1.0-SNAPSHOT (dev)" : v)};
        }
    }
}
