using System.CommandLine;
using HomeSec.Core.Config;
using HomeSec.Core.Config.Seed;

namespace HomeSec.Cli;

/// <summary><c>homesec config migrate SEED.yaml</c>: converts a config of the Python HomeSec (the seed) into HomeSec's shape.</summary>
public static class ConfigCommand
{
    public static Command Build()
    {
        var command = new Command("config", "Work with config files.");
        command.Subcommands.Add(BuildMigrate());
        return command;
    }

    private static Command BuildMigrate()
    {
        var seed = new Argument<FileInfo>("seed-config") { Description = "A config file of the Python HomeSec (e.g. its config/config.yaml)." };
        var command = new Command("migrate",
            "Convert a config of the Python HomeSec into HomeSec's shape: the new YAML on stdout, one note per renamed or dropped key on stderr. " +
            "Usage: homesec config migrate SEED.yaml > homesec.yaml") { seed };
        command.SetAction(parse => Migrate(parse.GetValue(seed)!, Console.Out, Console.Error));
        return command;
    }

    /// <summary>
    /// The notes go to stderr, not into the YAML: stdout stays exactly the new config (so <c>&gt; homesec.yaml</c>
    /// works), and the notes are seen in the terminal even while stdout goes to a file.
    /// </summary>
    public static int Migrate(FileInfo seedFile, TextWriter output, TextWriter errors)
    {
        if (!seedFile.Exists)
        {
            errors.WriteLine($"homesec: there is no file {seedFile.FullName}; give the Python HomeSec's config file, e.g. homesec config migrate config/config.yaml > homesec.yaml");
            return ExitCodes.Usage;
        }

        string text;
        try
        {
            text = File.ReadAllText(seedFile.FullName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"homesec: cannot read {seedFile.FullName} ({HomeSecCli.OneLine(ex.Message)}); is it a readable file?");
            return ExitCodes.Usage;
        }

        MigrationResult result;
        try
        {
            result = SeedConfigMigration.Migrate(text, seedFile.Name);
        }
        catch (ConfigException ex)
        {
            errors.WriteLine($"homesec: {seedFile.Name} is not a YAML config, so nothing was converted: {string.Join("; ", ex.Errors)}");
            return ExitCodes.Usage;
        }

        if (!SeedConfigMigration.LooksLikeSeed(text))
        {
            errors.WriteLine($"homesec: {seedFile.Name} has none of the Python HomeSec's keys (storage.dropbox, storage.local, filter.plugin, vlm.llm, vlm.preprocessing, …), " +
                $"so it was not converted; if it is a HomeSec config already, check it with homesec validate --config {seedFile.Name}");
            return ExitCodes.Usage;
        }

        output.Write(result.Yaml);
        foreach (var note in result.Notes)
        {
            errors.WriteLine($"note: {note}");
        }

        errors.WriteLine($"homesec: converted {seedFile.Name} with {result.Notes.Count} note(s); read them, then check the result with homesec validate --config FILE.");
        return ExitCodes.Ok;
    }
}
