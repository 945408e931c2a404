using System.CommandLine;

namespace HomeSec.Cli;

/// <summary>The exit codes of every command (the README's Commands section lists them).</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>A failure at run time: port in use, state store unreachable, daemon not answering, an unexpected error; <c>validate</c>: the config has errors.</summary>
    public const int Failure = 1;

    /// <summary>The config or an argument is invalid (<c>run</c>, <c>clips</c>, <c>inspect</c>).</summary>
    public const int Usage = 2;

    /// <summary><c>inspect</c>: the daemon answers but its /health status is not ok.</summary>
    public const int Degraded = 3;
}

/// <summary>The <c>homesec</c> command line: <c>run</c>, <c>validate</c>, <c>clips</c>, <c>inspect</c> and <c>config</c>, each with <c>--help</c>.</summary>
public static class HomeSecCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("HomeSec: a self-hosted pipeline for home security cameras (record, store, detect, describe, alert).");
        root.Subcommands.Add(RunCommand.Build());
        root.Subcommands.Add(ValidateCommand.Build());
        root.Subcommands.Add(ClipsCommand.Build());
        root.Subcommands.Add(InspectCommand.Build());
        root.Subcommands.Add(LogsCommand.Build());
        root.Subcommands.Add(CleanupCommand.Build());
        root.Subcommands.Add(ConfigCommand.Build());
        root.Subcommands.Add(ModeCommand.Build());
        root.Subcommands.Add(UserCommand.BuildUser());
        root.Subcommands.Add(UserCommand.BuildToken());
        var cluster = new Command("cluster", "Work with a cluster of HomeSec nodes (an NVR and GPU boxes).");
        cluster.Subcommands.Add(ClusterCertificateCommand.Build());
        cluster.Subcommands.Add(ClusterMemberCommand.BuildLeave());
        cluster.Subcommands.Add(ClusterMemberCommand.BuildDown());
        root.Subcommands.Add(cluster);
        return root;
    }

    /// <summary>
    /// Parses and runs a command. An exception no command expected ends in one line on stderr and exit
    /// code 1; the stack trace only with <c>HOMESEC_DEBUG=1</c>.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args)
    {
        // The daemon's host handles Ctrl-C and SIGTERM itself (a graceful CoordinatedShutdown), so the
        // command-line parser must not cut the process short.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
        try
        {
            return await Build().Parse(args).InvokeAsync(invocation);
        }
#pragma warning disable CA1031 // the last resort: whatever a command did not expect, reported in one line
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await Console.Error.WriteLineAsync(Environment.GetEnvironmentVariable("HOMESEC_DEBUG") == "1"
                ? $"homesec: unexpected error: {ex}"
                : $"homesec: unexpected error: {OneLine(ex.Message)}; run with HOMESEC_DEBUG=1 for details");
            return ExitCodes.Failure;
        }
    }

    internal static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');

    internal static Option<FileInfo> ConfigOption() => new("--config", "-c")
    {
        Description = "The YAML config file (see config/example.yaml).",
        Required = true,
    };
}
