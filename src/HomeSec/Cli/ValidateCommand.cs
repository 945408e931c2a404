using System.CommandLine;
using HomeSec.Core.Config;
using HomeSec.Core.Config.Seed;
using HomeSec.Core.Plugins;

namespace HomeSec.Cli;

/// <summary><c>homesec validate --config FILE</c>: prints every config error at once; exit code 1 when there are any.</summary>
public static class ValidateCommand
{
    public static Command Build()
    {
        var config = HomeSecCli.ConfigOption();
        var command = new Command("validate", "Check a config file and print every error (key path, bad value, what is allowed).") { config };
        command.SetAction(parseResult => Validate(parseResult.GetValue(config)!, Console.Out, Console.Error));
        return command;
    }

    public static int Validate(FileInfo configFile, TextWriter output, TextWriter errors)
    {
        try
        {
            var config = AppConfigLoader.LoadFile(configFile.FullName, PluginRegistries.CreateBuiltin());
            output.WriteLine($"{configFile.Name} is valid: {config.Cameras.Count} camera(s) ({string.Join(", ", config.Cameras.Select(c => $"{c.Name}: {c.Source.Name}"))}), " +
                $"storage {config.Storage.Plugin.Name}, filter {config.Filter.Plugin.Name}, vlm {config.Vlm.Plugin?.Name ?? "none"}, " +
                $"notifiers {(config.Notifiers.Count == 0 ? "none" : string.Join(", ", config.Notifiers.Select(n => n.Name)))}, alert policy {config.AlertPolicy.Name}.");
            return 0;
        }
        catch (ConfigException ex)
        {
            PrintErrors(configFile, ex, errors);
            return 1;
        }
    }

    internal static void PrintErrors(FileInfo configFile, ConfigException exception, TextWriter errors)
    {
        errors.WriteLine($"{configFile.Name}: {exception.Errors.Count} error(s)");
        foreach (var error in exception.Errors)
        {
            errors.WriteLine($"  {error}");
        }

        if (LooksLikeSeedConfig(configFile))
        {
            errors.WriteLine($"{configFile.Name} looks like a config of the Python HomeSec: homesec config migrate {configFile.Name} > homesec.yaml converts it (with a note per key it renames or drops).");
        }
    }

    private static bool LooksLikeSeedConfig(FileInfo configFile)
    {
        try
        {
            return configFile.Exists && SeedConfigMigration.LooksLikeSeed(File.ReadAllText(configFile.FullName));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The errors above already say what is wrong with the file; the hint is only a bonus.
            return false;
        }
    }
}
