using System.Text.RegularExpressions;
using HomeSec.Core.Alerts;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HomeSec.Core.Config.Seed;

/// <summary>What a migration did to one key of the seed config (printed as one line).</summary>
/// <param name="Kind">renamed, changed (a value), dropped, added (HomeSec needs it written), check (kept, but its value may need a change) or kept (unknown to the migration).</param>
public sealed record MigrationNote(string Kind, string SeedPath, string? NewPath, string? Reason)
{
    public override string ToString() => (NewPath, Reason) switch
    {
        (null, null) => $"{Kind} {SeedPath}",
        (null, _) => $"{Kind} {SeedPath}: {Reason}",
        (_, null) => $"{Kind} {SeedPath} to {NewPath}",
        _ => $"{Kind} {SeedPath} to {NewPath}: {Reason}",
    };
}

/// <param name="Yaml">The config in HomeSec's shape.</param>
/// <param name="Notes">One note per seed key that was renamed, changed or dropped, in the order of the file.</param>
public sealed record MigrationResult(string Yaml, IReadOnlyList<MigrationNote> Notes);

/// <summary>
/// Converts a config of the Python HomeSec that this project reimplements (the "seed",
/// github.com/lan17/homesec, config/example.yaml) into HomeSec's shape. The seed's plugin sections
/// (<c>storage.dropbox</c>, <c>vlm.llm</c>, <c>vlm.preprocessing</c>, the RTSP source's nested
/// <c>stream</c>/<c>motion</c>/… groups) become HomeSec's <c>config</c> mappings, renamed keys get
/// HomeSec's names, and keys HomeSec has no use for are dropped, each with a note. Both the seed's older
/// shape (<c>filter.plugin</c>, <c>vlm.llm</c>) and its later one (<c>filter.backend</c>, <c>vlm.config</c>)
/// are read. Keys it does not know are kept unchanged (with a note), so <c>validate</c> names them.
/// </summary>
public static partial class SeedConfigMigration
{
    /// <summary>The seed's activity names (its VLM's and its example's) that HomeSec spells differently.</summary>
    private static readonly Dictionary<string, string> ActivityRenames = new(StringComparer.Ordinal)
    {
        ["suspicious"] = "suspicious_behavior",
        ["normal_delivery"] = "delivery",
        ["normal_visitor"] = "visitor",
        ["passerby"] = "person_passing",
        ["unknown"] = "other",
    };

    /// <summary>
    /// Whether a parsed config has the seed's shape: keys only the seed has. Used by <c>validate</c> to
    /// suggest <c>homesec config migrate</c>; false for anything that is not a YAML mapping.
    /// </summary>
    public static bool LooksLikeSeed(string yaml)
    {
        if (TryParse(yaml) is not { } root)
        {
            return false;
        }

        var storage = Child(root, "storage") as YamlMappingNode;
        var filter = Child(root, "filter") as YamlMappingNode;
        var vlm = Child(root, "vlm") as YamlMappingNode;
        var health = Child(root, "health") as YamlMappingNode;
        var notifiers = Child(root, "notifiers") as YamlSequenceNode;
        return (storage is not null && (Child(storage, "dropbox") is YamlMappingNode || Child(storage, "local") is YamlMappingNode))
            || (filter is not null && (Child(filter, "plugin") is not null || Child(filter, "max_workers") is not null))
            || (vlm is not null && (Child(vlm, "llm") is not null || Child(vlm, "preprocessing") is not null || Child(vlm, "trigger_classes") is not null))
            || (health is not null && Child(health, "mqtt_is_critical") is not null)
            || (notifiers is not null && notifiers.Children.OfType<YamlMappingNode>().Any(n => Scalar(Child(n, "backend")) == "sendgrid_email"));
    }

    /// <summary>Converts the seed config <paramref name="yaml"/>; a YAML error or a non-mapping is a <see cref="ConfigException"/>.</summary>
    public static MigrationResult Migrate(string yaml, string sourceName)
    {
        var root = Parse(yaml);
        var run = new MigrationRun();
        var output = run.Migrate(new SeedSection("", root, run.Notes));
        var document = new YamlDocument(output);
        using var writer = new StringWriter();
        writer.WriteLine($"# Converted by `homesec config migrate` from {sourceName} (a config of the Python HomeSec).");
        writer.WriteLine("# What was renamed or dropped was printed on stderr; config/example.yaml documents every key.");
        new YamlStream(document).Save(writer, assignAnchors: false);
        var text = writer.ToString();

        // YamlDotNet ends the document with an explicit end marker; a config file does not need one.
        text = text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
        return new MigrationResult(text.ReplaceLineEndings("\n"), run.Notes);
    }

    private static YamlMappingNode Parse(string yaml)
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
            var at = scanner.CurrentPosition;
            throw new ConfigException([new ConfigError("(yaml)", "the YAML is malformed here (is a '{' or '[' left unclosed?)", (int)at.Line, (int)at.Column)]);
        }

        return stream.Documents.FirstOrDefault()?.RootNode switch
        {
            YamlMappingNode mapping => mapping,
            null => throw new ConfigException([new ConfigError("(root)", "the file is empty; expected a config of the Python HomeSec")]),
            _ => throw new ConfigException([new ConfigError("(root)", "expected a mapping of sections (cameras, storage, …), as in a config of the Python HomeSec")]),
        };
    }

    private static YamlMappingNode? TryParse(string yaml)
    {
        try
        {
            return Parse(yaml);
        }
        catch (ConfigException)
        {
            return null;
        }
    }

    private static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlNode? node) => node is YamlScalarNode { Value: { } value } ? value.Trim().ToLowerInvariant() : null;

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex ActivityTypeName();

    /// <summary>One seed mapping being read: every key taken is remembered, so what is left can be reported.</summary>
    private sealed class SeedSection(string path, YamlMappingNode node, List<MigrationNote> notes)
    {
        private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

        public string Path { get; } = path;

        public string PathOf(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

        public bool Has(string key) => Child(node, key) is not null;

        public YamlNode? Peek(string key) => Child(node, key);

        public IReadOnlyList<string> Names() => [.. node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "")];

        public YamlNode? Take(string key)
        {
            _taken.Add(key);
            return Child(node, key);
        }

        public string? TakeText(string key) => Take(key) is YamlScalarNode { Value: { } value } ? value : null;

        public SeedSection? Section(string key) => Take(key) is YamlMappingNode mapping ? new SeedSection(PathOf(key), mapping, notes) : null;

        /// <summary>Moves <paramref name="key"/> to <paramref name="target"/> as <paramref name="newKey"/>, with a note when the name changes.</summary>
        public void Move(string key, YamlMappingNode target, string newKey, string newPath, string? reason = null)
        {
            if (Take(key) is not { } value)
            {
                return;
            }

            if (target.Children.ContainsKey(new YamlScalarNode(newKey)))
            {
                notes.Add(new MigrationNote("dropped", PathOf(key), null, $"{newPath} is given elsewhere in the file already"));
                return;
            }

            target.Add(newKey, value);
            if (newPath != PathOf(key))
            {
                notes.Add(new MigrationNote("renamed", PathOf(key), newPath, reason));
            }
        }

        public void Drop(string key, string reason)
        {
            if (Take(key) is not null)
            {
                notes.Add(new MigrationNote("dropped", PathOf(key), null, reason));
            }
        }

        /// <summary>The keys nobody took: kept as they are under <paramref name="target"/>, so <c>validate</c> judges them.</summary>
        public void KeepRest(YamlMappingNode target, string targetPath)
        {
            foreach (var (key, value) in node.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? key.ToString();
                if (!_taken.Add(name))
                {
                    continue;
                }

                if (target.Children.ContainsKey(key))
                {
                    notes.Add(new MigrationNote("dropped", PathOf(name), null, $"the migration wrote {Join(targetPath, name)} itself"));
                }
                else
                {
                    target.Add(key, value);
                    notes.Add(new MigrationNote("kept", PathOf(name), null,
                        $"not a key of the seed this migration knows; kept as {Join(targetPath, name)}, and validate says whether HomeSec accepts it"));
                }
            }
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>The state of one conversion: its notes, and settings that end up in another section than they came from.</summary>
    private sealed class MigrationRun
    {
        public List<MigrationNote> Notes { get; } = [];

        private readonly List<string> _extraActivityTypes = [];
        private YamlNode? _triggerClasses;
        private string? _triggerClassesFrom;
        private YamlNode? _vlmWorkers;
        private string? _vlmWorkersFrom;
        private YamlMappingNode? _seedPerCameraOverrides;
        private string? _seedPerCameraOverridesPath;

        private void Note(string kind, string seedPath, string? newPath, string? reason) => Notes.Add(new MigrationNote(kind, seedPath, newPath, reason));

        public YamlMappingNode Migrate(SeedSection seed)
        {
            var output = new YamlMappingNode();
            var version = seed.TakeText("version");
            if (version is not null && version.Trim() != "1")
            {
                Note("changed", "version", null, $"the seed's version '{version}' is not one this migration knows; written as HomeSec's version 1, check the result");
            }

            output.Add("version", "1");
            if (seed.Take("cameras") is YamlSequenceNode cameras)
            {
                output.Add("cameras", Cameras(cameras));
            }

            if (seed.Section("storage") is { } storage)
            {
                output.Add("storage", Storage(storage));
            }

            output.Add("state_store", StateStore(seed.Section("state_store")));
            if (seed.Take("notifiers") is YamlSequenceNode notifiers)
            {
                output.Add("notifiers", Notifiers(notifiers));
            }

            // vlm is read before filter and alert_policy: its trigger classes go to filter, its worker count to
            // concurrency, and the activity names the alert rules use may extend its vocabulary.
            var vlm = seed.Section("vlm") is { } vlmSeed ? Vlm(vlmSeed) : null;
            var filter = seed.Section("filter") is { } filterSeed ? Filter(filterSeed) : null;
            var alertPolicy = seed.Section("alert_policy") is { } policySeed ? AlertPolicy(policySeed) : null;
            var perCamera = PerCameraAlert(seed.Section("per_camera_alert"));
            if (filter is not null)
            {
                output.Add("filter", filter);
            }

            if (vlm is not null)
            {
                if (_extraActivityTypes.Count > 0 && !vlm.Children.ContainsKey(new YamlScalarNode("extra_activity_types")))
                {
                    vlm.Add("extra_activity_types", new YamlSequenceNode(_extraActivityTypes.Select(t => new YamlScalarNode(t))) { Style = YamlDotNet.Core.Events.SequenceStyle.Flow });
                }

                output.Add("vlm", vlm);
            }

            if (alertPolicy is not null)
            {
                output.Add("alert_policy", alertPolicy);
            }

            if (perCamera is not null)
            {
                output.Add("per_camera_alert", perCamera);
            }

            if (seed.Section("retention") is { } retention)
            {
                retention.Drop("max_local_size", "HomeSec's retention is configured differently; see the README");
                var kept = new YamlMappingNode();
                retention.KeepRest(kept, "retention");
                if (kept.Children.Count > 0)
                {
                    output.Add("retention", kept);
                }
            }

            if (Concurrency(seed.Section("concurrency")) is { Children.Count: > 0 } concurrency)
            {
                output.Add("concurrency", concurrency);
            }

            if (seed.Section("retry") is { } retry)
            {
                output.Add("retry", Copy(retry, "retry", ["max_attempts", "backoff_s"]));
            }

            if (seed.Section("health") is { } health)
            {
                var healthOut = new YamlMappingNode();
                health.Move("host", healthOut, "host", "health.host");
                health.Move("port", healthOut, "port", "health.port");
                health.Drop("mqtt_is_critical", "HomeSec reports each notifier on /health; a notifier that is down makes the status degraded, never unhealthy");
                health.KeepRest(healthOut, "health");
                output.Add("health", healthOut);
            }

            seed.KeepRest(output, "");
            return output;
        }

        private static YamlMappingNode Copy(SeedSection seed, string path, string[] keys)
        {
            var output = new YamlMappingNode();
            foreach (var key in keys)
            {
                seed.Move(key, output, key, Join(path, key));
            }

            seed.KeepRest(output, path);
            return output;
        }

        private YamlSequenceNode Cameras(YamlSequenceNode cameras)
        {
            var output = new YamlSequenceNode();
            for (var i = 0; i < cameras.Children.Count; i++)
            {
                if (cameras.Children[i] is not YamlMappingNode mapping)
                {
                    output.Add(cameras.Children[i]);
                    continue;
                }

                var path = $"cameras[{i}]";
                var camera = new SeedSection(path, mapping, Notes);
                var cameraOut = new YamlMappingNode();
                var name = camera.TakeText("name");
                if (name is not null)
                {
                    cameraOut.Add("name", name);
                }

                if (camera.Section("source") is { } source)
                {
                    cameraOut.Add("source", Source(source, $"{path}.source", name));
                }

                camera.KeepRest(cameraOut, path);
                output.Add(cameraOut);
            }

            return output;
        }

        private YamlMappingNode Source(SeedSection source, string path, string? cameraName)
        {
            var output = new YamlMappingNode();
            var type = source.TakeText("type")?.Trim().ToLowerInvariant();
            if (type is not null)
            {
                output.Add("type", type);
            }

            var config = source.Section("config");
            if (config is not null)
            {
                var configPath = $"{path}.config";
                output.Add("config", type switch
                {
                    "rtsp" => RtspSource(config, configPath, cameraName),
                    "ftp" => FtpSource(config, configPath),
                    "local_folder" => LocalFolderSource(config, configPath),
                    _ => Unchanged(config, configPath),
                });
            }

            source.KeepRest(output, path);
            return output;
        }

        private static YamlMappingNode Unchanged(SeedSection seed, string path)
        {
            var output = new YamlMappingNode();
            seed.KeepRest(output, path);
            return output;
        }

        private YamlMappingNode RtspSource(SeedSection config, string path, string? cameraName)
        {
            var output = new YamlMappingNode();
            config.Drop("camera_name", "HomeSec uses the camera's name");
            UrlFromEnvironment(config, output, path, "rtsp_url", cameraName, "RTSP_URL");
            UrlFromEnvironment(config, output, path, "detect_rtsp_url", cameraName, "DETECT_RTSP_URL");
            config.Move("output_dir", output, "output_dir", $"{path}.output_dir");

            // The seed's first example had these flat; its later one groups them. Both end flat in HomeSec.
            foreach (var key in new[] { "pixel_threshold", "min_changed_pct", "recording_sensitivity_factor", "blur_kernel", "max_recording_s", "frame_timeout_s", "debug_motion" })
            {
                config.Move(key, output, key, $"{path}.{key}");
            }

            config.Move("stop_delay", output, "stop_delay_s", $"{path}.stop_delay_s");
            config.Move("reconnect_backoff_s", output, "backoff_s", $"{path}.backoff_s");
            if (config.Section("stream") is { } stream)
            {
                stream.Move("ffmpeg_flags", output, "ffmpeg_flags", $"{path}.ffmpeg_flags");
                stream.Move("connect_timeout_s", output, "connect_timeout_s", $"{path}.connect_timeout_s");
                stream.Move("io_timeout_s", output, "io_timeout_s", $"{path}.io_timeout_s");
                if (stream.TakeText("disable_hwaccel") is { } disable)
                {
                    var off = disable.Trim().ToLowerInvariant() is "true" or "yes" or "on";
                    output.Add("hwaccel", off ? "none" : "auto");
                    Note("renamed", stream.PathOf("disable_hwaccel"), $"{path}.hwaccel",
                        off ? "hwaccel: none decodes the detect stream on the CPU" : "hwaccel: auto lets ffmpeg pick a hardware decoder, as the seed detected one");
                }

                stream.KeepRest(output, path);
            }

            if (config.Section("motion") is { } motion)
            {
                foreach (var key in new[] { "pixel_threshold", "min_changed_pct", "recording_sensitivity_factor", "blur_kernel" })
                {
                    motion.Move(key, output, key, $"{path}.{key}");
                }

                motion.KeepRest(output, path);
            }

            if (config.Section("recording") is { } recording)
            {
                recording.Move("stop_delay", output, "stop_delay_s", $"{path}.stop_delay_s");
                recording.Move("max_recording_s", output, "max_recording_s", $"{path}.max_recording_s");
                recording.KeepRest(output, path);
            }

            if (config.Section("runtime") is { } runtime)
            {
                runtime.Move("frame_timeout_s", output, "frame_timeout_s", $"{path}.frame_timeout_s");
                runtime.Move("debug_motion", output, "debug_motion", $"{path}.debug_motion");
                runtime.Drop("frame_queue_size", "HomeSec reads frames without a queue");
                runtime.Drop("heartbeat_s", "HomeSec's heartbeat is the last frame's time, shown on /health");
                runtime.KeepRest(output, path);
            }

            if (config.Section("reconnect") is { } reconnect)
            {
                foreach (var key in new[] { "backoff_s", "max_attempts", "detect_fallback_attempts" })
                {
                    reconnect.Move(key, output, key, $"{path}.{key}");
                }

                reconnect.KeepRest(output, path);
            }

            config.KeepRest(output, path);
            return output;
        }

        /// <summary>
        /// HomeSec takes camera URLs only from environment variables (they hold passwords): a URL written in
        /// the seed config becomes a variable name, and the note says which one to set (never the URL).
        /// </summary>
        private void UrlFromEnvironment(SeedSection config, YamlMappingNode output, string path, string key, string? cameraName, string suffix)
        {
            config.Move($"{key}_env", output, $"{key}_env", $"{path}.{key}_env");
            if (config.Take(key) is null)
            {
                return;
            }

            if (config.Has($"{key}_env"))
            {
                Note("dropped", config.PathOf(key), null, $"{key}_env names the variable already");
                return;
            }

            var variable = $"{EnvironmentName(cameraName)}_{suffix}";
            output.Add($"{key}_env", variable);
            Note("renamed", config.PathOf(key), $"{path}.{key}_env",
                $"HomeSec reads the URL (it holds the camera's password) from an environment variable: set {variable} to the URL that was written here");
        }

        private static string EnvironmentName(string? cameraName) =>
            string.IsNullOrWhiteSpace(cameraName) ? "CAMERA" : Regex.Replace(cameraName.ToUpperInvariant(), "[^A-Z0-9]", "_");

        private YamlMappingNode FtpSource(SeedSection config, string path)
        {
            var output = new YamlMappingNode();
            config.Drop("camera_name", "HomeSec uses the camera's name");
            config.Move("host", output, "host", $"{path}.host");
            config.Move("port", output, "port", $"{path}.port");
            var rootDir = config.TakeText("root_dir");
            var subdir = config.TakeText("ftp_subdir");
            if (rootDir is not null || subdir is not null)
            {
                // The seed's default root was ./ftp_incoming; HomeSec needs it written.
                var root = subdir is null ? rootDir! : $"{(rootDir ?? "./ftp_incoming").TrimEnd('/')}/{subdir.Trim('/')}";
                output.Add("root", root);
                if (rootDir is not null)
                {
                    Note("renamed", config.PathOf("root_dir"), $"{path}.root", null);
                }

                if (subdir is not null)
                {
                    Note("renamed", config.PathOf("ftp_subdir"), $"{path}.root", "the camera's folder is root_dir/ftp_subdir, and it is \"/\" to the camera");
                }
            }
            else
            {
                output.Add("root", "./ftp_incoming");
                Note("added", $"{path}.root", null, "HomeSec needs the folder written; ./ftp_incoming was the seed's default");
            }

            // The seed allowed anonymous uploads unless told otherwise; HomeSec does not, so say it.
            if (config.TakeText("anonymous") is { } anonymous)
            {
                output.Add("anonymous", anonymous);
            }
            else
            {
                output.Add("anonymous", "true");
                Note("added", $"{path}.anonymous", null, "true was the seed's default; HomeSec's is false");
            }

            if (config.Take("username_env") is YamlScalarNode { Value: { } usernameVariable })
            {
                Note("dropped", config.PathOf("username_env"), null,
                    $"HomeSec takes the login name itself: write {path}.username with the value of {usernameVariable}");
            }

            config.Move("password_env", output, "password_env", $"{path}.password_env");
            config.Move("passive_ports", output, "passive_ports", $"{path}.passive_ports");
            config.Move("masquerade_address", output, "passive_address", $"{path}.passive_address");
            config.Move("allowed_extensions", output, "extensions", $"{path}.extensions");
            config.Drop("perms", "HomeSec's FTP permissions are fixed (upload, list, read, delete what is not yet processed)");
            config.Drop("heartbeat_s", "HomeSec's heartbeat is the last upload's time, shown on /health");
            config.Drop("delete_non_matching", "HomeSec keeps uploads that are not videos as plain files and logs them");
            config.Drop("delete_incomplete", "HomeSec always discards incomplete uploads");
            config.Drop("default_duration_s", "HomeSec reads a clip's duration with ffprobe");
            config.Drop("log_level", "HomeSec's log level is set for the whole daemon");
            config.KeepRest(output, path);
            return output;
        }

        private static YamlMappingNode LocalFolderSource(SeedSection config, string path)
        {
            var output = new YamlMappingNode();
            config.Drop("camera_name", "HomeSec uses the camera's name");
            config.Move("watch_dir", output, "watch_dir", $"{path}.watch_dir");
            config.Move("poll_interval", output, "poll_interval_s", $"{path}.poll_interval_s");
            config.Move("stability_threshold_s", output, "stability_threshold_s", $"{path}.stability_threshold_s");
            config.KeepRest(output, path);
            return output;
        }

        private YamlMappingNode Storage(SeedSection storage)
        {
            var output = new YamlMappingNode();
            var backend = storage.TakeText("backend")?.Trim().ToLowerInvariant();
            if (backend is null)
            {
                backend = "dropbox";
                Note("added", "storage.backend", null, "dropbox was the seed's default");
            }

            output.Add("backend", backend);
            storage.Drop("paths", "HomeSec stores clips as {camera}/{clip_id}.mp4 under the backend's root");

            // The seed kept one section per backend (storage.dropbox, storage.local) and later one storage.config;
            // HomeSec reads the chosen backend's options from storage.config.
            SeedSection? chosen = null;
            foreach (var key in new[] { "config", "dropbox", "local" })
            {
                if (!storage.Has(key))
                {
                    continue;
                }

                if (key == "config" || key == backend)
                {
                    chosen ??= storage.Section(key);
                    if (key != "config")
                    {
                        Note("renamed", $"storage.{key}", "storage.config", null);
                    }
                }
                else
                {
                    storage.Drop(key, $"only the options of the chosen backend ({backend}) are kept");
                }
            }

            var config = new YamlMappingNode();
            switch (backend)
            {
                case "dropbox":
                    DropboxStorage(chosen, config);
                    break;
                case "local":
                    if (chosen is null || !chosen.Has("root"))
                    {
                        config.Add("root", "./storage");
                        Note("added", "storage.config.root", null, "HomeSec needs the folder written; ./storage was the seed's default");
                    }

                    chosen?.Move("root", config, "root", "storage.config.root");
                    chosen?.KeepRest(config, "storage.config");
                    break;
                default:
                    chosen?.KeepRest(config, "storage.config");
                    break;
            }

            output.Add("config", config);
            storage.KeepRest(output, "storage");
            return output;
        }

        private void DropboxStorage(SeedSection? dropbox, YamlMappingNode config)
        {
            const string path = "storage.config";
            dropbox?.Move("root", config, "root", $"{path}.root");
            var refreshKeys = new[] { "refresh_token_env", "app_key_env", "app_secret_env" };
            var hasRefreshFlow = dropbox is not null && refreshKeys.All(dropbox.Has);
            if (hasRefreshFlow)
            {
                // HomeSec takes one way of signing in; the refresh flow is the one that keeps working for a daemon.
                foreach (var key in refreshKeys)
                {
                    dropbox!.Move(key, config, key, $"{path}.{key}");
                }

                dropbox!.Drop("token_env", "HomeSec signs in one way, and the refresh-token flow was given (the seed tried the token first when its variable was set); to use the token instead, replace the three *_env keys by token_env");
            }
            else if (dropbox?.Has("token_env") == true)
            {
                dropbox.Move("token_env", config, "token_env", $"{path}.token_env");
                foreach (var key in refreshKeys)
                {
                    dropbox.Drop(key, "HomeSec signs in one way: the refresh-token flow needs all three of refresh_token_env, app_key_env and app_secret_env, so token_env is used");
                }
            }
            else
            {
                config.Add("token_env", "DROPBOX_TOKEN");
                Note("added", $"{path}.token_env", null, "DROPBOX_TOKEN was the seed's default variable");
            }

            dropbox?.Drop("web_url_prefix", "HomeSec links to a Dropbox shared link of each clip (shared_links: true)");
            dropbox?.KeepRest(config, path);
        }

        private YamlMappingNode StateStore(SeedSection? stateStore)
        {
            var output = new YamlMappingNode { { "backend", "postgres" } };
            Note("added", "state_store.backend", null, "the seed's state store was always PostgreSQL");
            if (stateStore?.Take("dsn_env") is { } dsnVariable)
            {
                output.Add("dsn_env", dsnVariable);
                Note("check", "state_store.dsn_env", null,
                    $"HomeSec reads a key=value connection string (Host=...;Port=5432;Username=...;Password=...;Database=...), not the seed's postgresql+asyncpg:// URL: change the value of {(dsnVariable as YamlScalarNode)?.Value}");
            }
            else if (stateStore?.Take("dsn") is not null)
            {
                output.Add("dsn_env", "HOMESEC_DB_DSN");
                Note("renamed", "state_store.dsn", "state_store.dsn_env",
                    "HomeSec reads the connection string (it holds the password) from an environment variable: set HOMESEC_DB_DSN to it, as Host=...;Port=5432;Username=...;Password=...;Database=...");
            }
            else
            {
                output.Add("dsn_env", "HOMESEC_DB_DSN");
                Note("added", "state_store.dsn_env", null, "the seed config named no connection string: set HOMESEC_DB_DSN, or use backend: sqlite (see config/example.yaml)");
            }

            stateStore?.KeepRest(output, "state_store");
            return output;
        }

        private YamlSequenceNode Notifiers(YamlSequenceNode notifiers)
        {
            var output = new YamlSequenceNode();
            for (var i = 0; i < notifiers.Children.Count; i++)
            {
                if (notifiers.Children[i] is not YamlMappingNode mapping)
                {
                    output.Add(notifiers.Children[i]);
                    continue;
                }

                var path = $"notifiers[{i}]";
                var notifier = new SeedSection(path, mapping, Notes);
                var notifierOut = new YamlMappingNode();
                var backend = notifier.TakeText("backend")?.Trim().ToLowerInvariant();
                var config = notifier.Section("config");
                var configOut = new YamlMappingNode();
                switch (backend)
                {
                    case "sendgrid_email":
                        notifierOut.Add("backend", "email");
                        Note("changed", $"{path}.backend", null, "sendgrid_email is HomeSec's email notifier with provider: sendgrid");
                        notifier.Move("enabled", notifierOut, "enabled", $"{path}.enabled");
                        config?.Move("request_timeout_s", notifierOut, "timeout_s", $"{path}.timeout_s");
                        SendGrid(config, configOut, $"{path}.config");
                        break;
                    case "mqtt":
                        notifierOut.Add("backend", "mqtt");
                        notifier.Move("enabled", notifierOut, "enabled", $"{path}.enabled");
                        foreach (var key in new[] { "host", "port", "auth", "topic_template", "qos", "retain" })
                        {
                            config?.Move(key, configOut, key, $"{path}.config.{key}");
                        }

                        config?.Drop("connection_timeout", $"HomeSec reconnects with backoff (reconnect.min_backoff_s, max_backoff_s); {path}.timeout_s bounds one delivery");
                        config?.KeepRest(configOut, $"{path}.config");
                        break;
                    default:
                        if (backend is not null)
                        {
                            notifierOut.Add("backend", backend);
                        }

                        notifier.Move("enabled", notifierOut, "enabled", $"{path}.enabled");
                        config?.KeepRest(configOut, $"{path}.config");
                        break;
                }

                if (config is not null || configOut.Children.Count > 0)
                {
                    notifierOut.Add("config", configOut);
                }

                notifier.KeepRest(notifierOut, path);
                output.Add(notifierOut);
            }

            return output;
        }

        private void SendGrid(SeedSection? config, YamlMappingNode output, string path)
        {
            output.Add("provider", "sendgrid");
            config?.Move("to_emails", output, "to_emails", $"{path}.to_emails");
            config?.Move("from_email", output, "from_email", $"{path}.from_email");
            config?.Move("from_name", output, "from_name", $"{path}.from_name");
            config?.Move("subject_template", output, "subject_template", $"{path}.subject_template");
            config?.Drop("cc_emails", "HomeSec sends to to_emails only; add the addresses there");
            config?.Drop("bcc_emails", "HomeSec sends to to_emails only; add the addresses there");
            config?.Drop("text_template", "HomeSec's email body (text and HTML) is built in");
            config?.Drop("html_template", "HomeSec's email body (text and HTML) is built in");
            var sendGrid = new YamlMappingNode();
            if (config?.Has("api_key_env") == true)
            {
                config.Move("api_key_env", sendGrid, "api_key_env", $"{path}.sendgrid.api_key_env");
            }
            else
            {
                sendGrid.Add("api_key_env", "SENDGRID_API_KEY");
                Note("added", $"{path}.sendgrid.api_key_env", null, "SENDGRID_API_KEY was the seed's default variable");
            }

            if (config?.TakeText("api_base") is { } apiBase)
            {
                // The seed's base included the API version; HomeSec adds /v3 itself.
                var baseUrl = apiBase.TrimEnd('/');
                baseUrl = baseUrl.EndsWith("/v3", StringComparison.Ordinal) ? baseUrl[..^3] : baseUrl;
                sendGrid.Add("base_url", baseUrl);
                Note("renamed", config.PathOf("api_base"), $"{path}.sendgrid.base_url", "without the /v3 HomeSec adds itself");
            }

            output.Add("sendgrid", sendGrid);
            config?.KeepRest(output, path);
        }

        private YamlMappingNode Vlm(SeedSection vlm)
        {
            var output = new YamlMappingNode();
            var backend = vlm.TakeText("backend")?.Trim().ToLowerInvariant() ?? "none";
            var runMode = vlm.TakeText("run_mode")?.Trim().ToLowerInvariant();
            if (runMode is not null)
            {
                Note("dropped", "vlm.run_mode", null, runMode switch
                {
                    "never" => "never: written as backend: none",
                    "always" => "HomeSec runs the VLM only on clips with a trigger class; to analyse every clip, list every class in filter.trigger_classes",
                    _ => "HomeSec runs the VLM on clips with a trigger class, as trigger_only did",
                });
                backend = runMode == "never" ? "none" : backend;
            }

            output.Add("backend", backend);
            if (vlm.Take("trigger_classes") is { } triggers)
            {
                _triggerClasses = triggers;
                _triggerClassesFrom = "vlm.trigger_classes";
            }

            if (vlm.Take("max_workers") is { } workers)
            {
                _vlmWorkers = workers;
                _vlmWorkersFrom = "vlm.max_workers";
            }

            var config = new YamlMappingNode();
            foreach (var key in new[] { "llm", "config" })
            {
                if (vlm.Section(key) is not { } llm)
                {
                    continue;
                }

                OpenAiOptions(llm, config, "vlm.config");
            }

            if (vlm.Section("preprocessing") is { } preprocessing)
            {
                foreach (var key in new[] { "max_frames", "max_size", "quality" })
                {
                    preprocessing.Move(key, config, key, $"vlm.config.{key}");
                }

                preprocessing.KeepRest(config, "vlm.config");
            }

            if (backend == "none" && config.Children.Count > 0)
            {
                Note("dropped", "vlm.config", null, "the VLM is off (backend: none)");
                config = new YamlMappingNode();
            }

            output.Add("config", config);
            vlm.KeepRest(output, "vlm");
            return output;
        }

        private void OpenAiOptions(SeedSection llm, YamlMappingNode config, string path)
        {
            foreach (var key in new[] { "api_key_env", "model", "base_url", "temperature", "max_tokens" })
            {
                if (key == "temperature" && llm.Has(key) && llm.Take(key) is YamlScalarNode { Value: null or "" or "null" or "~" })
                {
                    Note("dropped", llm.PathOf(key), null, "no temperature: the model's default, as in HomeSec when the key is left out");
                    continue;
                }

                llm.Move(key, config, key, $"{path}.{key}");
            }

            var tokenParam = llm.TakeText("token_param");
            if (tokenParam is not null)
            {
                config.Add("max_tokens_field", tokenParam);
                Note("renamed", llm.PathOf("token_param"), $"{path}.max_tokens_field", null);
            }

            if (llm.Has("max_completion_tokens"))
            {
                if (config.Children.ContainsKey(new YamlScalarNode("max_tokens")))
                {
                    llm.Drop("max_completion_tokens", $"{path}.max_tokens holds the limit, whichever field it is sent in");
                }
                else
                {
                    llm.Move("max_completion_tokens", config, "max_tokens", $"{path}.max_tokens", $"the limit; {path}.max_tokens_field says which field it is sent in");
                }
            }

            llm.Move("request_timeout", config, "request_timeout_s", $"{path}.request_timeout_s");
            if (llm.Take("trigger_classes") is { } triggers)
            {
                _triggerClasses ??= triggers;
                _triggerClassesFrom ??= llm.PathOf("trigger_classes");
            }

            if (llm.Take("max_workers") is { } workers)
            {
                _vlmWorkers ??= workers;
                _vlmWorkersFrom ??= llm.PathOf("max_workers");
            }

            llm.KeepRest(config, path);
        }

        private YamlMappingNode Filter(SeedSection filter)
        {
            var output = new YamlMappingNode();
            string? backend;
            if (filter.TakeText("plugin") is { } plugin)
            {
                backend = plugin.Trim().ToLowerInvariant();
                Note("renamed", "filter.plugin", "filter.backend", null);
                filter.Drop("backend", "filter.plugin names the filter");
            }
            else
            {
                backend = filter.TakeText("backend")?.Trim().ToLowerInvariant();
            }

            if (backend is not null)
            {
                output.Add("backend", backend);
            }

            if (_triggerClasses is not null)
            {
                output.Add("trigger_classes", _triggerClasses);
                Note("renamed", _triggerClassesFrom!, "filter.trigger_classes", "in HomeSec the classes that start the VLM belong to the filter");
            }

            var config = new YamlMappingNode();
            var workers = filter.Take("max_workers");
            var workersFrom = "filter.max_workers";
            if (filter.Section("config") is { } seedConfig)
            {
                // The seed's later shape moved max_workers into filter.config.
                if (seedConfig.Take("max_workers") is { } configWorkers)
                {
                    if (workers is null)
                    {
                        workers = configWorkers;
                        workersFrom = seedConfig.PathOf("max_workers");
                    }
                    else
                    {
                        Note("dropped", seedConfig.PathOf("max_workers"), null, "filter.max_workers is given");
                    }
                }

                if (backend == "yolo")
                {
                    YoloOptions(seedConfig, config);
                }

                seedConfig.KeepRest(config, "filter.config");
            }
            else if (backend == "yolo")
            {
                config.Add("model_path", "./models/yolo11n.onnx");
                Note("added", "filter.config.model_path", null, ModelNote("yolo11n.pt", "./models/yolo11n.onnx"));
            }

            if (workers is not null)
            {
                if (backend == "yolo" && !config.Children.ContainsKey(new YamlScalarNode("inference_workers")))
                {
                    config.Add("inference_workers", workers);
                    Note("renamed", workersFrom, "filter.config.inference_workers", "detection runs in that many ONNX Runtime sessions");
                }
                else
                {
                    Note("dropped", workersFrom, null, "concurrency.filter_workers sets how many clips are filtered at once");
                }
            }

            output.Add("config", config);
            filter.KeepRest(output, "filter");
            return output;
        }

        private void YoloOptions(SeedSection config, YamlMappingNode output)
        {
            // The seed downloaded yolo11n.pt by itself; HomeSec downloads nothing and runs an exported ONNX file.
            var seedModel = config.TakeText("model_path");
            var fileName = System.IO.Path.GetFileNameWithoutExtension(seedModel ?? "yolo11n.pt");
            var onnxPath = seedModel is not null && seedModel.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)
                ? seedModel
                : $"./models/{fileName}.onnx";
            output.Add("model_path", onnxPath);
            if (seedModel is null)
            {
                Note("added", "filter.config.model_path", null, ModelNote("yolo11n.pt", onnxPath));
            }
            else if (onnxPath != seedModel)
            {
                Note("changed", config.PathOf("model_path"), null, ModelNote(seedModel, onnxPath));
            }

            foreach (var key in new[] { "classes", "min_confidence", "sample_fps", "min_box_h_ratio" })
            {
                config.Move(key, output, key, $"filter.config.{key}");
            }

            config.Drop("min_hits", "HomeSec counts a class when it is seen in one sampled frame");
        }

        private static string ModelNote(string seedModel, string onnxPath) =>
            $"HomeSec downloads no model: export it once with `yolo export model={System.IO.Path.GetFileNameWithoutExtension(seedModel)}.pt format=onnx dynamic=True` and put the .onnx file at {onnxPath}";

        private YamlMappingNode AlertPolicy(SeedSection policy)
        {
            var output = new YamlMappingNode();
            var backend = policy.TakeText("backend")?.Trim().ToLowerInvariant() ?? "default";
            if (policy.TakeText("enabled") is { } enabled)
            {
                var off = enabled.Trim().ToLowerInvariant() is "false" or "no" or "off";
                Note("dropped", "alert_policy.enabled", null, off ? "false: written as backend: noop (never alerts)" : "HomeSec's policy is on unless its backend is noop");
                backend = off ? "noop" : backend;
            }

            output.Add("backend", backend);
            if (policy.Section("config") is { } config)
            {
                var configOut = new YamlMappingNode();
                if (config.Take("overrides") is YamlMappingNode overrides)
                {
                    _seedPerCameraOverrides = overrides;
                    _seedPerCameraOverridesPath = config.PathOf("overrides");
                }

                AlertRules(config, configOut, "alert_policy.config");
                output.Add("config", configOut);
            }

            policy.KeepRest(output, "alert_policy");
            return output;
        }

        private YamlMappingNode? PerCameraAlert(SeedSection? perCamera)
        {
            var sections = new List<(string Camera, SeedSection Rules)>();
            if (_seedPerCameraOverrides is not null)
            {
                Note("renamed", _seedPerCameraOverridesPath!, "per_camera_alert", null);
                sections.AddRange(_seedPerCameraOverrides.Children
                    .Where(c => c.Value is YamlMappingNode)
                    .Select(c => (((YamlScalarNode)c.Key).Value ?? "", new SeedSection($"{_seedPerCameraOverridesPath}.{c.Key}", (YamlMappingNode)c.Value, Notes))));
            }

            var output = new YamlMappingNode();
            if (perCamera is not null)
            {
                foreach (var camera in perCamera.Names())
                {
                    if (perCamera.Peek(camera) is YamlMappingNode && perCamera.Section(camera) is { } rules)
                    {
                        sections.Add((camera, rules));
                    }
                }

                // What is not a mapping of rules is kept as it is, so validate names it.
                perCamera.KeepRest(output, "per_camera_alert");
            }

            if (sections.Count == 0 && output.Children.Count == 0)
            {
                return null;
            }

            foreach (var (camera, rules) in sections)
            {
                var rulesOut = new YamlMappingNode();
                AlertRules(rules, rulesOut, $"per_camera_alert.{camera}");
                if (!output.Children.ContainsKey(new YamlScalarNode(camera)))
                {
                    output.Add(camera, rulesOut);
                }
            }

            return output;
        }

        private void AlertRules(SeedSection rules, YamlMappingNode output, string path)
        {
            rules.Move("min_risk_level", output, "min_risk_level", $"{path}.min_risk_level");
            if (rules.Take("notify_on_activity_types") is { } types)
            {
                output.Add("notify_on_activity_types", types is YamlSequenceNode list ? ActivityTypes(list, rules.PathOf("notify_on_activity_types")) : types);
                if (rules.PathOf("notify_on_activity_types") != $"{path}.notify_on_activity_types")
                {
                    Note("renamed", rules.PathOf("notify_on_activity_types"), $"{path}.notify_on_activity_types", null);
                }
            }

            rules.Move("notify_on_motion", output, "notify_on_motion", $"{path}.notify_on_motion");
            rules.KeepRest(output, path);
        }

        /// <summary>
        /// The seed's activity names were free text; HomeSec checks them against one vocabulary. Names HomeSec
        /// spells differently are renamed; other valid names join <c>vlm.extra_activity_types</c>.
        /// </summary>
        private YamlSequenceNode ActivityTypes(YamlSequenceNode types, string path)
        {
            var output = new YamlSequenceNode { Style = types.Style };
            for (var index = 0; index < types.Children.Count; index++)
            {
                var item = types.Children[index];
                var name = (item as YamlScalarNode)?.Value?.Trim();
                if (name is null)
                {
                    output.Add(item);
                }
                else if (ActivityRenames.TryGetValue(name, out var renamed))
                {
                    output.Add(renamed);
                    Note("changed", $"{path}[{index}]", null, $"'{name}' is called {renamed} in HomeSec");
                }
                else if (HomeSec.Core.Alerts.ActivityTypes.Builtin.Contains(name, StringComparer.Ordinal) || !ActivityTypeName().IsMatch(name))
                {
                    output.Add(item);
                }
                else
                {
                    output.Add(item);
                    if (!_extraActivityTypes.Contains(name, StringComparer.Ordinal))
                    {
                        _extraActivityTypes.Add(name);
                        Note("added", "vlm.extra_activity_types", null, $"'{name}' ({path}[{index}] names it, and it is not one of HomeSec's activity types)");
                    }
                }
            }

            return output;
        }

        private YamlMappingNode Concurrency(SeedSection? concurrency)
        {
            var output = new YamlMappingNode();
            foreach (var key in new[] { "max_clips_in_flight", "upload_workers", "filter_workers", "vlm_workers" })
            {
                concurrency?.Move(key, output, key, $"concurrency.{key}");
            }

            if (_vlmWorkers is not null)
            {
                if (output.Children.ContainsKey(new YamlScalarNode("vlm_workers")))
                {
                    Note("dropped", _vlmWorkersFrom!, null, "concurrency.vlm_workers is given and sets how many clips are analysed at once");
                }
                else
                {
                    output.Add("vlm_workers", _vlmWorkers);
                    Note("renamed", _vlmWorkersFrom!, "concurrency.vlm_workers", "how many clips are analysed at once");
                }
            }

            concurrency?.KeepRest(output, "concurrency");
            return output;
        }
    }
}
