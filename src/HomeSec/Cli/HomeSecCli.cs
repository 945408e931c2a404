using System.CommandLine;

namespace HomeSec.Cli;

/// <summary>The <c>homesec</c> command line: <c>run</c> and <c>validate</c>, each with <c>--help</c>.</summary>
public static class HomeSecCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("HomeSec: a self-hosted pipeline for home security cameras (record, store, detect, describe, alert).");
        root.Subcommands.Add(RunCommand.Build());
        root.Subcommands.Add(ValidateCommand.Build());
        root.Subcommands.Add(ClipsCommand.Build());
        root.Subcommands.Add(InspectCommand.Build());
        return root;
    }

    internal static Option<FileInfo> ConfigOption() => new("--config", "-c")
    {
        Description = "The YAML config file (see config/example.yaml).",
        Required = true,
    };
}
