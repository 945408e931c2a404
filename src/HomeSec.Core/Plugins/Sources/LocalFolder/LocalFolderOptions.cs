using HomeSec.Core.Config;
using HomeSec.Core.Config.Options;
using HomeSec.Core.Media;

namespace HomeSec.Core.Plugins.Sources.LocalFolder;

/// <param name="WatchDir">The folder clips are dropped into.</param>
/// <param name="StabilityThreshold">A file must keep its size and time this long before it is taken, so half-written files are not.</param>
/// <param name="ManifestPath">Where the source remembers what it handed over (works with no database).</param>
public sealed record LocalFolderOptions(
    string WatchDir,
    [property: Option("poll_interval_s", Min = 0.05, Max = 3600, Default = 1.0)] TimeSpan PollInterval,
    [property: Option("stability_threshold_s", Min = 0, Max = 3600, Default = 2.0)] TimeSpan StabilityThreshold,
    IReadOnlyList<string> Extensions,
    string ManifestPath)
{
    public static LocalFolderOptions Read(ConfigSection config)
    {
        var watchDir = Path.GetFullPath(config.String("watch_dir", required: true) ?? ".");
        var extensions = config.StringList("extensions", VideoFiles.DefaultExtensions)
            .Select(e => e.StartsWith('.') ? e.ToLowerInvariant() : "." + e.ToLowerInvariant())
            .ToList();
        if (extensions.Count == 0)
        {
            config.Error("extensions", "may not be empty; e.g. [.mp4, .mkv]");
        }

        return OptionBinder.Bind<LocalFolderOptions>(config) with
        {
            WatchDir = watchDir,
            Extensions = extensions,
            ManifestPath = Path.GetFullPath(config.String("manifest_path") ?? Path.Combine(watchDir, ".homesec", "manifest.jsonl")),
        };
    }
}
