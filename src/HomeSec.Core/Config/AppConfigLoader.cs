using HomeSec.Core.Alerts.Gate;
using HomeSec.Core.Retention;
using System.Text.RegularExpressions;
using HomeSec.Core.Alerts;
using HomeSec.Core.Plugins;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using HomeSec.Core.Config.Options;

namespace HomeSec.Core.Config;

/// <summary>
/// Reads the YAML config strictly: every section, every plugin's options (through its registry),
/// unknown keys and missing environment variables. Returns all errors at once.
/// </summary>
public static partial class AppConfigLoader
{
    public static AppConfig LoadFile(string path, PluginRegistries registries, Func<string, string?>? environment = null)
    {
        if (!File.Exists(path))
        {
            throw new ConfigException([new ConfigError(path, "config file not found")]);
        }

        return Load(File.ReadAllText(path), registries, environment);
    }

    public static AppConfig Load(string yaml, PluginRegistries registries, Func<string, string?>? environment = null)
    {
        var context = new ConfigReadContext(environment ?? Environment.GetEnvironmentVariable);
        var root = new ConfigSection("", ParseRoot(yaml), context);
        var config = Read(root, registries, context);
        var errors = context.Errors.Concat(context.UnknownKeys()).ToList();
        return errors.Count == 0 && config is not null ? config : throw new ConfigException(errors);
    }

    /// <summary>
    /// Reads only <c>state_store</c> (for <c>homesec clips</c>, which needs nothing else): the cameras' and
    /// plugins' environment variables need not be set.
    /// </summary>
    public static StateStoreConfig LoadStateStoreFile(string path, Func<string, string?>? environment = null) =>
        LoadSectionFile(path, environment, "state_store", ReadStateStore);

    /// <summary>Reads only <c>health</c> (for <c>homesec inspect --config</c>).</summary>
    public static HealthConfig LoadHealthFile(string path) => LoadSectionFile(path, null, "health", ReadHealth);

    private static T LoadSectionFile<T>(string path, Func<string, string?>? environment, string key, Func<ConfigSection, T> read)
    {
        if (!File.Exists(path))
        {
            throw new ConfigException([new ConfigError(path, "config file not found")]);
        }

        var context = new ConfigReadContext(environment ?? Environment.GetEnvironmentVariable);
        var section = new ConfigSection("", ParseRoot(File.ReadAllText(path)), context).Section(key);
        var value = read(section);
        var errors = context.Errors.Concat(section.UnknownKeys()).ToList();
        return errors.Count == 0 ? value : throw new ConfigException(errors);
    }

    private static YamlMappingNode ParseRoot(string yaml)
    {
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(yaml));
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException ex)
        {
            throw new ConfigException([new ConfigError("(yaml)", ex.Message, (int)ex.Start.Line, (int)ex.Start.Column)]);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up this way on some unclosed flow collections (e.g. a '{' never closed
            // before the next block key): report where it stopped.
            var at = scanner.CurrentPosition;
            throw new ConfigException([new ConfigError("(yaml)", "the YAML is malformed here (is a '{' or '[' left unclosed?)", (int)at.Line, (int)at.Column)]);
        }

        return stream.Documents.FirstOrDefault()?.RootNode switch
        {
            YamlMappingNode mapping => mapping,
            null => throw new ConfigException([new ConfigError("(root)", "the config is empty; see config/example.yaml")]),
            _ => throw new ConfigException([new ConfigError("(root)", "expected a mapping of sections (cameras, storage, …)")]),
        };
    }

    private static AppConfig? Read(ConfigSection root, PluginRegistries registries, ConfigReadContext context)
    {
        ReadVersion(root);

        // The vocabulary comes first: the VLM's options (its schema enum) and the alert rules both validate against it.
        var vlmSection = root.Section("vlm");
        context.ActivityTypes = ReadActivityVocabulary(vlmSection);
        var cameraRetention = new Dictionary<string, RetentionOverrides>(StringComparer.Ordinal);
        // First: an inference-only node needs no cameras.
        var clusterSection = root.Section("cluster");
        var cluster = ReadCluster(clusterSection);
        var cameras = ReadCameras(root, registries, cameraRetention, cluster.RunsNvr);
        var storageSection = root.Section("storage");
        var storage = registries.Storage.Read(storageSection, "backend", "config", defaultName: null);
        var storageTimeout = OptionBinder.Bind<StorageConfig>(storageSection).Timeout;
        var stateStore = ReadStateStore(root.Section("state_store"));
        var notifiers = ReadNotifiers(root, registries);
        var filter = ReadFilter(root.Section("filter"), registries);
        var vlm = ReadVlm(vlmSection, registries);
        var alertPolicy = registries.AlertPolicies.Read(root.Section("alert_policy"), "backend", "config", defaultName: "default",
            PerCameraAlertSections(root, cameras));
        var concurrency = ReadConcurrency(root.Section("concurrency"));
        var retry = ReadRetry(root.Section("retry"));
        var health = ReadHealth(root.Section("health"));
        var outbox = ReadOutbox(root.Section("outbox"));
        var retention = ReadRetention(root.Section("retention"), cameraRetention);
        var mode = root.Choice("mode", ArmedMode.Home, ArmedModes.ByWireName);
        var web = Web.WebConfig.Read(root.Section("web"));
        var liveDetection = Alerts.Live.LiveDetectionConfig.Read(root.Section("live_detection"));

        if (liveDetection.Enabled && filter is not null && filter.Plugin.Name != "yolo")
        {
            root.Section("live_detection").Error("enabled", $"needs filter.backend: yolo (live detection runs the filter's model), not '{filter.Plugin.Name}'");
        }

        if (storage is null || filter is null || vlm is null || alertPolicy is null)
        {
            return null;
        }

        if (cluster.OffersInference && filter.Plugin.Options is not Inference.IDetectorModelOptions { Model: not null })
        {
            clusterSection.Error("roles", $"the {ClusterConfig.InferenceRole} role needs a filter that runs a model (filter.backend: yolo with filter.config.model_path)");
        }

        return new AppConfig(cameras, new StorageConfig(storage, storageTimeout), stateStore, notifiers, filter, vlm, alertPolicy,
            concurrency, retry, health) { Outbox = outbox, Retention = retention, InitialMode = mode, Web = web, LiveDetection = liveDetection, Cluster = cluster };
    }

    /// <summary>The schema versions this HomeSec reads; a config without <c>version</c> is version 1.</summary>
    public static IReadOnlyList<string> SupportedVersions { get; } = ["1"];

    /// <summary>
    /// <c>version</c> lets the config's shape evolve: a file written for a later schema is refused by name
    /// instead of being half-understood.
    /// </summary>
    private static void ReadVersion(ConfigSection root)
    {
        if (root.String("version") is { } version && !SupportedVersions.Contains(version.Trim(), StringComparer.Ordinal))
        {
            root.Error("version", $"'{version}' is not allowed; allowed: {string.Join(", ", SupportedVersions)} (or leave it out, which means 1)");
        }
    }

    private static List<CameraConfig> ReadCameras(ConfigSection root, PluginRegistries registries, Dictionary<string, RetentionOverrides> retention, bool required)
    {
        var cameras = new List<CameraConfig>();
        var errorsBefore = root.ErrorCount;
        var items = root.Items("cameras", required);
        if (required && items.Count == 0 && root.ErrorCount == errorsBefore)
        {
            root.Error("cameras", "needs at least one camera");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var name = item.RequiredString("name");
            if (name.Length > 0 && !CameraName().IsMatch(name))
            {
                item.Error("name", $"'{name}' is not allowed; use lowercase letters, digits, '_' and '-' (at most 63, starting with a letter or digit)");
            }
            else if (name.Length > 0 && !seen.Add(name))
            {
                item.Error("name", $"duplicate camera name '{name}'; camera names must be unique");
            }

            var source = registries.Sources.Read(item.Section("source"), "type", "config");
            if (item.Has("retention"))
            {
                var cameraRetention = item.Section("retention");
                retention[name] = ReadRetentionOverrides(cameraRetention, cameraRetention.Section("local"), perCameraCap: true);
            }

            var alertRules = ReadCameraAlertRules(item);
            if (source is not null)
            {
                cameras.Add(new CameraConfig(name, source) { AlertRules = alertRules });
            }
        }

        return cameras;
    }

    private static StateStoreConfig ReadStateStore(ConfigSection section)
    {
        var backend = section.Choice("backend", StateStoreBackend.Sqlite, new Dictionary<string, StateStoreBackend>
        {
            ["sqlite"] = StateStoreBackend.Sqlite,
            ["postgres"] = StateStoreBackend.Postgres,
        });
        var path = Path.GetFullPath(section.String("path") ?? Path.Combine("data", "homesec.db"));
        var dsn = backend == StateStoreBackend.Postgres ? section.Secret("dsn_env", required: true) : null;
        if (dsn is not null && DsnProblem(dsn) is { } problem)
        {
            section.Error("dsn_env", $"environment variable '{section.String("dsn_env")}' is not a usable PostgreSQL connection string: {problem}");
        }
        if (backend == StateStoreBackend.Sqlite && section.Has("dsn_env"))
        {
            section.Error("dsn_env", "is only used with backend: postgres");
        }

        var localState = Path.GetFullPath(section.String("local_state_dir") ?? Path.Combine("data", "state"));
        var spoolMax = OptionBinder.Bind<StateStoreConfig>(section).SpoolMaxEvents;
        return new StateStoreConfig(backend, path, dsn, localState, spoolMax);
    }

    /// <summary>What is wrong with a PostgreSQL DSN, never quoting it (it holds the password).</summary>
    private static string? DsnProblem(string dsn)
    {
        var builder = new System.Data.Common.DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = dsn;
        }
        catch (ArgumentException)
        {
            return "expected key=value pairs separated by ';' (Host=...;Port=5432;Database=...;Username=...;Password=...)";
        }

        if (builder.TryGetValue("port", out var port)
            && !(int.TryParse(Convert.ToString(port, System.Globalization.CultureInfo.InvariantCulture), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535))
        {
            return "Port is not a whole number from 1 to 65535";
        }

        return builder.ContainsKey("host") || builder.ContainsKey("server") ? null : "it names no Host";
    }

    private static List<NotifierConfig> ReadNotifiers(ConfigSection root, PluginRegistries registries)
    {
        var notifiers = new List<NotifierConfig>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in root.Items("notifiers"))
        {
            var enabled = item.Bool("enabled", true);
            var plugin = registries.Notifiers.Read(item, "backend", "config");
            var name = item.String("name") ?? plugin?.Name ?? "";
            var timeout = OptionBinder.Bind<NotifierConfig>(item).Timeout;
            var phases = item.StringList("phases", NotifierConfig.DefaultPhasesOf(plugin?.Name ?? ""));
            foreach (var phase in phases.Where(p => !Alerts.AlertPhases.All.Contains(p)))
            {
                item.Error("phases", $"'{phase}' is not allowed; allowed: {string.Join(", ", Alerts.AlertPhases.All)}");
            }

            if (phases.Count == 0)
            {
                item.Error("phases", $"is empty; allowed: {string.Join(", ", Alerts.AlertPhases.All)} (or set enabled: false)");
            }

            if (plugin is null || !enabled)
            {
                continue;
            }

            if (!NotifierName().IsMatch(name))
            {
                item.Error("name", $"'{name}' is not allowed; use letters, digits, '_' and '-' (at most 63, starting with a letter or digit)");
            }
            else if (!names.Add(name))
            {
                item.Error("name", $"duplicate notifier name '{name}'; give each notifier of the same backend its own name");
            }

            notifiers.Add(new NotifierConfig(name, plugin, timeout) { Phases = phases });
        }

        return notifiers;
    }

    private static FilterConfig? ReadFilter(ConfigSection section, PluginRegistries registries)
    {
        var plugin = registries.Filters.Read(section, "backend", "config", defaultName: "none");
        var triggers = section.StringList("trigger_classes", ["person"]);
        if (plugin?.Options is IClassNamesOptions { ClassNames: { } known })
        {
            foreach (var trigger in triggers.Where(t => !known.Contains(t, StringComparer.OrdinalIgnoreCase)))
            {
                section.Error("trigger_classes", $"class '{trigger}' is not one the {plugin.Name} model knows; it knows: {string.Join(", ", known)}");
            }
        }

        var timeout = OptionBinder.Bind<FilterConfig>(section).Timeout;
        return plugin is null ? null : new FilterConfig(plugin, triggers, timeout);
    }

    private static ActivityVocabulary ReadActivityVocabulary(ConfigSection vlmSection)
    {
        var extraTypes = vlmSection.StringList("extra_activity_types", []);
        foreach (var extraType in extraTypes.Where(t => !ActivityTypeName().IsMatch(t)))
        {
            vlmSection.Error("extra_activity_types",
                $"'{extraType}' is not allowed; use lowercase letters, digits and '_' (at most 63, starting with a letter)");
        }

        return ActivityVocabulary.WithExtra(extraTypes.Where(t => ActivityTypeName().IsMatch(t)));
    }

    private static VlmConfig? ReadVlm(ConfigSection section, PluginRegistries registries)
    {
        var timeout = OptionBinder.Bind<VlmConfig>(section).Timeout;
        if (section.String("backend", "none") == "none")
        {
            section.Section("config").IgnoreUnknownKeys();
            return new VlmConfig(null, timeout, section.ActivityTypes);
        }

        var plugin = registries.Analyzers.Read(section, "backend", "config");
        return plugin is null ? null : new VlmConfig(plugin, timeout, section.ActivityTypes);
    }

    /// <summary><c>per_camera_alert.{camera}</c>, each naming a configured camera; the alert policy reads their keys.</summary>
    private static IReadOnlyList<(string Camera, ConfigSection Section)> PerCameraAlertSections(ConfigSection root, IReadOnlyList<CameraConfig> cameras)
    {
        var sections = root.NamedSections("per_camera_alert");
        foreach (var (camera, section) in sections.Where(s => cameras.All(c => c.Name != s.Name)))
        {
            section.Error($"no camera is named '{camera}'; cameras: {string.Join(", ", cameras.Select(c => c.Name))}");
        }

        return sections;
    }

    private static ConcurrencyConfig ReadConcurrency(ConfigSection section) => OptionBinder.Bind<ConcurrencyConfig>(section);

    private static RetryConfig ReadRetry(ConfigSection section)
    {
        var retry = OptionBinder.Bind<RetryConfig>(section);
        if (retry.MaxBackoff < retry.Backoff)
        {
            section.Error("max_backoff_s", $"'{retry.MaxBackoff.TotalSeconds}' is below backoff_s ({retry.Backoff.TotalSeconds}); expected max_backoff_s ≥ backoff_s");
        }

        return retry;
    }

    private static OutboxConfig ReadOutbox(ConfigSection section)
    {
        var outbox = OptionBinder.Bind<OutboxConfig>(section) with
        {
            Dir = section.String("dir") is { } dir ? Path.GetFullPath(dir) : OutboxConfig.DefaultDir,
        };
        if (outbox.MaxBackoff < outbox.Backoff)
        {
            section.Error("max_backoff_s", $"'{outbox.MaxBackoff.TotalSeconds}' is below backoff_s ({outbox.Backoff.TotalSeconds}); expected max_backoff_s ≥ backoff_s");
        }

        return outbox;
    }

    /// <summary>
    /// A camera's <c>zones</c> (named polygons, "x,y x,y x,y ...", in source-frame pixels or relative 0..1) and
    /// <c>alerts</c> (<c>required_zones</c>: a list for every class or a map class → list; <c>cooldown_s</c>;
    /// <c>modes</c>: the armed modes it alerts in).
    /// </summary>
    private static CameraAlertRules ReadCameraAlertRules(ConfigSection camera)
    {
        var zones = new List<Zone>();
        foreach (var item in camera.Items("zones"))
        {
            var name = item.RequiredString("name");
            var units = item.Choice("units", ZoneUnits.Pixels, new Dictionary<string, ZoneUnits> { ["pixels"] = ZoneUnits.Pixels, ["relative"] = ZoneUnits.Relative });
            var polygon = ParsePolygon(item.RequiredString("polygon"));
            if (name.Length > 0 && !ZoneName().IsMatch(name))
            {
                item.Error("name", $"'{name}' is not allowed; use lowercase letters, digits, '_' and '-' (at most 63)");
            }
            else if (zones.Any(z => z.Name == name))
            {
                item.Error("name", $"duplicate zone name '{name}'");
            }

            if (polygon is null)
            {
                item.Error("polygon", "expected at least 3 points \"x,y x,y x,y\" (numbers)");
            }
            else if (units == ZoneUnits.Relative && polygon.Any(p => p.X is < 0 or > 1 || p.Y is < 0 or > 1))
            {
                item.Error("polygon", "relative points must be from 0 to 1");
            }
            else
            {
                zones.Add(new Zone(name, polygon, units));
            }
        }

        var alerts = camera.Section("alerts");
        var required = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (alerts.Has("required_zones"))
        {
            if (!alerts.IsMapping("required_zones"))
            {
                required[CameraAlertRules.AnyClass] = alerts.StringList("required_zones", []);
            }
            else
            {
                var perClass = alerts.Section("required_zones");
                foreach (var objectClass in perClass.Keys())
                {
                    required[objectClass] = perClass.StringList(objectClass, []);
                }
            }

            foreach (var unknown in required.Values.SelectMany(z => z).Where(z => zones.All(known => known.Name != z)).Distinct(StringComparer.Ordinal))
            {
                alerts.Error("required_zones", $"no zone is named '{unknown}'; zones of this camera: {(zones.Count == 0 ? "none" : string.Join(", ", zones.Select(z => z.Name)))}");
            }
        }

        var modeNames = alerts.StringList("modes", ["home", "away"]);
        var modes = new HashSet<ArmedMode>();
        foreach (var modeName in modeNames)
        {
            if (ArmedModes.TryParse(modeName, out var mode) && mode != ArmedMode.Off)
            {
                modes.Add(mode);
            }
            else
            {
                alerts.Error("modes", $"'{modeName}' is not allowed; allowed: home, away");
            }
        }

        return OptionBinder.Bind<CameraAlertRules>(alerts) with { Zones = zones, RequiredZones = required, Modes = modes };
    }

    private static List<(double X, double Y)>? ParsePolygon(string text)
    {
        var points = new List<(double, double)>();
        foreach (var pair in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split(',');
            if (parts.Length != 2
                || !double.TryParse(parts[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x)
                || !double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var y))
            {
                return null;
            }

            points.Add((x, y));
        }

        return points.Count >= 3 ? points : null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex ZoneName();

    /// <summary>
    /// <c>retention</c>: <c>local: {max_days, max_gb, keep_alerted_days}</c>, <c>remote: {max_days}</c>, <c>min_free_gb</c>,
    /// <c>critical_free_gb</c>, <c>source_files</c>, <c>check_interval_s</c>; a camera's own <c>retention</c> overrides
    /// the per-camera rules (its <c>local.max_gb</c> caps that camera; the global one caps all cameras together).
    /// </summary>
    private static RetentionConfig ReadRetention(ConfigSection section, IReadOnlyDictionary<string, RetentionOverrides> perCamera)
    {
        var local = section.Section("local");
        var defaults = ReadRetentionOverrides(section, local, perCameraCap: false).Over(RetentionRules.None);
        var totalCap = Gigabytes(local, "max_gb");
        var minFree = Gigabytes(section, "min_free_gb");
        var critical = Gigabytes(section, "critical_free_gb") ?? (minFree is { } floor ? floor / 4 : null);
        if (minFree is { } min && section.Has("critical_free_gb") && critical > min)
        {
            section.Error("critical_free_gb", "is above min_free_gb; expected critical_free_gb ≤ min_free_gb");
        }

        return OptionBinder.Bind<RetentionConfig>(section) with
        {
            Defaults = defaults,
            PerCamera = perCamera,
            TotalLocalMaxBytes = totalCap,
            MinFreeBytes = minFree,
            CriticalFreeBytes = critical,
        };
    }

    private static RetentionOverrides ReadRetentionOverrides(ConfigSection section, ConfigSection local, bool perCameraCap)
    {
        var remote = section.Section("remote");
        var sourceFiles = section.Has("source_files")
            ? section.Choice("source_files", SourceFilesPolicy.Keep, new Dictionary<string, SourceFilesPolicy>
            {
                ["keep"] = SourceFilesPolicy.Keep,
                ["delete_after_stored"] = SourceFilesPolicy.DeleteAfterStored,
            })
            : (SourceFilesPolicy?)null;
        return new RetentionOverrides(
            Days(local, "max_days"),
            Days(local, "keep_alerted_days"),
            perCameraCap ? Gigabytes(local, "max_gb") : null,
            Days(remote, "max_days"),
            sourceFiles);
    }

    private static double? Days(ConfigSection section, string key) =>
        section.Has(key) ? section.Number(key, 0, 0.001, 36_500) : null;

    private static long? Gigabytes(ConfigSection section, string key) =>
        section.Has(key) ? (long)(section.Number(key, 0, 0, 1_000_000) * RetentionConfig.BytesPerGb) : null;

    private static HealthConfig ReadHealth(ConfigSection section) => OptionBinder.Bind<HealthConfig>(section);

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex CameraName();

    /// <summary>Notifier names become actor names (<c>outbox-{name}</c>), so only what an actor path allows.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")]
    private static partial Regex NotifierName();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex ActivityTypeName();
}
