using HomeSec.Core.Alerts;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.AlertPolicies.Default;
using HomeSec.Core.Plugins.Notifiers.Log;
using HomeSec.Core.Plugins.Sources.LocalFolder;
using HomeSec.Core.Plugins.Storage.Local;
using HomeSec.Tests.TestSupport;
using Xunit;

namespace HomeSec.Tests.Config;

public sealed class AppConfigLoaderSpecs
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    private static AppConfig Load(string yaml) => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), NoEnvironment);

    private static IReadOnlyList<ConfigError> ErrorsOf(string yaml) =>
        Assert.Throws<ConfigException>(() => Load(yaml)).Errors;

    [Fact]
    public void Should_load_every_section_when_the_example_config_is_read()
    {
        // Given
        var yaml = File.ReadAllText(RepoPaths.ExampleConfig);

        // When
        var config = Load(yaml);

        // Then
        var camera = Assert.Single(config.Cameras);
        Assert.Equal("front_door", camera.Name);
        Assert.Equal("local_folder", camera.Source.Name);
        var folder = Assert.IsType<LocalFolderOptions>(camera.Source.Options);
        Assert.Equal(TimeSpan.FromSeconds(1), folder.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), folder.StabilityThreshold);
        Assert.Equal([".mp4", ".mkv", ".mov", ".avi", ".ts"], folder.Extensions);
        Assert.Equal(Path.Combine(folder.WatchDir, ".homesec", "manifest.jsonl"), folder.ManifestPath);

        Assert.Equal("local", config.Storage.Plugin.Name);
        Assert.Equal(TimeSpan.FromSeconds(300), config.Storage.Timeout);
        Assert.Null(Assert.IsType<LocalStorageOptions>(config.Storage.Plugin.Options).ViewUrlBase);

        Assert.Equal(StateStoreBackend.Sqlite, config.StateStore.Backend);
        var notifier = Assert.Single(config.Notifiers);
        Assert.Equal("log", notifier.Name);
        Assert.EndsWith("alerts.jsonl", Assert.IsType<LogNotifierOptions>(notifier.Plugin.Options).Path, StringComparison.Ordinal);

        Assert.Equal("none", config.Filter.Plugin.Name);
        Assert.Equal(["person"], config.Filter.TriggerClasses);
        Assert.Null(config.Vlm.Plugin);

        Assert.Equal("default", config.AlertPolicy.Name);
        var policy = Assert.IsType<DefaultAlertPolicyOptions>(config.AlertPolicy.Options);
        Assert.Equal(RiskLevel.Medium, policy.MinRiskLevel);
        Assert.Equal(["delivery", "loitering", "suspicious_behavior", "break_in_attempt"], policy.NotifyOnActivityTypes);
        Assert.False(policy.NotifyOnMotion);
        var frontDoor = Assert.IsType<AlertOverrides>(config.AlertPolicy.PerCamera["front_door"]);
        Assert.True(frontDoor.NotifyOnMotion);
        Assert.Null(frontDoor.MinRiskLevel);

        Assert.Equal(new ConcurrencyConfig(8, 2, 2, 1, 2), config.Concurrency);
        Assert.Equal(new RetryConfig(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)), config.Retry);
        Assert.Equal(new HealthConfig(true, "127.0.0.1", 8080), config.Health);
    }

    [Fact]
    public void Should_apply_the_defaults_when_optional_sections_are_left_out()
    {
        // Given
        var yaml = ConfigYaml.Minimal;

        // When
        var config = Load(yaml);

        // Then
        Assert.Empty(config.Notifiers);
        Assert.Equal("default", config.AlertPolicy.Name);
        Assert.Equal(RiskLevel.Medium, Assert.IsType<DefaultAlertPolicyOptions>(config.AlertPolicy.Options).MinRiskLevel);
        Assert.Empty(config.AlertPolicy.PerCamera);
        Assert.Equal(new ConcurrencyConfig(8, 2, 2, 1, 2), config.Concurrency);
        Assert.Equal(new HealthConfig(true, "127.0.0.1", 8080), config.Health);
    }

    [Fact]
    public void Should_give_a_camera_its_own_alert_rules_only_through_the_policy_that_reads_them_when_per_camera_alert_is_set()
    {
        // Given: per_camera_alert is the default policy's; noop has no per-camera rules and reads none
        const string perCamera = """
            per_camera_alert:
              front_door:
                min_risk_level: high
            """;

        // When
        var withDefault = Load(ConfigYaml.With(perCamera));
        var withNoop = Load(ConfigYaml.With("alert_policy:\n  backend: noop\n" + perCamera));

        // Then
        var overrides = Assert.IsType<AlertOverrides>(withDefault.AlertPolicy.PerCamera["front_door"]);
        Assert.Equal(RiskLevel.High, overrides.MinRiskLevel);
        Assert.Equal("noop", withNoop.AlertPolicy.Name);
        Assert.Empty(withNoop.AlertPolicy.PerCamera);
    }

    public static TheoryData<string, string, string, string[]> BadInputs => new()
    {
        // case, yaml, expected error path, words the message must contain
        { "text for a whole number", ConfigYaml.With("concurrency:\n  max_clips_in_flight: many\n"), "concurrency.max_clips_in_flight", ["'many'", "whole number from 1 to 10000"] },
        { "list for a number", ConfigYaml.With("retry:\n  backoff_s: [1]\n"), "retry.backoff_s", ["expected a number", "a list"] },
        { "text for a boolean", ConfigYaml.With("health:\n  enabled: maybe\n"), "health.enabled", ["'maybe'", "true or false"] },
        { "mapping for text", ConfigYaml.With("health:\n  host: {a: 1}\n"), "health.host", ["expected a text value", "a mapping"] },
        { "scalar for a section", ConfigYaml.With("health: on\n"), "health", ["expected a mapping"] },
        { "scalar for the camera list", "cameras: front_door\n" + ConfigYaml.Storage, "cameras", ["expected a list"] },
        { "port above range", ConfigYaml.With("health:\n  port: 70000\n"), "health.port", ["'70000'", "from 0 to 65535"] },
        { "workers below range", ConfigYaml.With("concurrency:\n  upload_workers: 0\n"), "concurrency.upload_workers", ["'0'", "from 1 to 256"] },
        { "attempts above range", ConfigYaml.With("retry:\n  max_attempts: 101\n"), "retry.max_attempts", ["'101'", "from 1 to 100"] },
        { "negative seconds", ConfigYaml.With("retry:\n  backoff_s: -1\n"), "retry.backoff_s", ["'-1'", "from 0 to 3600"] },
        { "poll interval below range", CameraWith("        poll_interval_s: 0.01\n") + ConfigYaml.Storage, "cameras[0].source.config.poll_interval_s", ["'0.01'", "from 0.05 to 3600"] },
        { "unknown key at the root", ConfigYaml.With("colour: blue\n"), "colour", ["unknown key", "known keys here", "cameras", "storage", "per_camera_alert", "health"] },
        { "unknown key in a section", ConfigYaml.With("health:\n  prot: 80\n"), "health.prot", ["unknown key", "enabled", "host", "port"] },
        { "unknown key in a plugin's config", CameraWith("        watch_folder: /tmp/x\n") + ConfigYaml.Storage, "cameras[0].source.config.watch_folder", ["unknown key", "watch_dir", "poll_interval_s", "stability_threshold_s", "extensions", "manifest_path"] },
        { "unknown key in the storage config", ConfigYaml.Minimal.Replace("    root:", "    bucket: clips\n    root:", StringComparison.Ordinal), "storage.config.bucket", ["unknown key", "root", "view_url_base"] },
        { "bad risk level", ConfigYaml.With("alert_policy:\n  config:\n    min_risk_level: severe\n"), "alert_policy.config.min_risk_level", ["'severe'", "low", "medium", "high", "critical"] },
        { "risk level number out of range", ConfigYaml.With("alert_policy:\n  config:\n    min_risk_level: 4\n"), "alert_policy.config.min_risk_level", ["'4'", "0-3"] },
        { "unknown activity type", ConfigYaml.With("alert_policy:\n  config:\n    notify_on_activity_types: [delivery, dancing]\n"), "alert_policy.config.notify_on_activity_types", ["'dancing'", "not an activity type", "delivery", "loitering", "break_in_attempt"] },
        { "bad per-camera risk level", ConfigYaml.With("per_camera_alert:\n  front_door:\n    min_risk_level: extreme\n"), "per_camera_alert.front_door.min_risk_level", ["'extreme'", "critical"] },
        { "unknown per-camera key", ConfigYaml.With("per_camera_alert:\n  front_door:\n    notify_always: true\n"), "per_camera_alert.front_door.notify_always", ["unknown key", "notify_on_motion", "min_risk_level"] },
        { "per-camera alert for a missing camera", ConfigYaml.With("per_camera_alert:\n  backyard:\n    notify_on_motion: true\n"), "per_camera_alert.backyard", ["'backyard'", "front_door"] },
        { "duplicate camera names", ConfigYaml.Camera + "  - name: front_door\n    source:\n      type: local_folder\n      config:\n        watch_dir: /tmp/b\n" + ConfigYaml.Storage, "cameras[1].name", ["duplicate camera name 'front_door'"] },
        { "camera name with capitals and a space", ConfigYaml.Minimal.Replace("name: front_door", "name: Front Door", StringComparison.Ordinal), "cameras[0].name", ["'Front Door'", "lowercase"] },
        { "camera name starting with a dash", ConfigYaml.Minimal.Replace("name: front_door", "name: -front", StringComparison.Ordinal), "cameras[0].name", ["'-front'", "not allowed"] },
        { "camera without a name", ConfigYaml.Minimal.Replace("  - name: front_door\n    source:", "  - source:", StringComparison.Ordinal), "cameras[0].name", ["is required"] },
        { "unknown storage plugin", ConfigYaml.Minimal.Replace("backend: local", "backend: s3", StringComparison.Ordinal), "storage.backend", ["unknown storage plugin 's3'", "available: dropbox, local"] },
        { "unknown source type", ConfigYaml.Minimal.Replace("type: local_folder", "type: webcam", StringComparison.Ordinal), "cameras[0].source.type", ["unknown source plugin 'webcam'", "ftp", "local_folder", "rtsp"] },
        { "unknown notifier", ConfigYaml.With("notifiers:\n  - backend: slack\n"), "notifiers[0].backend", ["unknown notifier plugin 'slack'", "available: email, log, mqtt, ntfy, telegram, webhook"] },
        { "unknown alert policy", ConfigYaml.With("alert_policy:\n  backend: strict\n"), "alert_policy.backend", ["unknown alert policy plugin 'strict'", "default", "noop"] },
        { "unknown filter", ConfigYaml.With("filter:\n  backend: yolo9\n"), "filter.backend", ["unknown filter plugin 'yolo9'", "available: none"] },
        { "unknown state store", ConfigYaml.With("state_store:\n  backend: mysql\n"), "state_store.backend", ["'mysql'", "allowed: sqlite, postgres"] },
        { "postgres without dsn_env", ConfigYaml.With("state_store:\n  backend: postgres\n"), "state_store.dsn_env", ["is required"] },
        { "dsn_env on sqlite", ConfigYaml.With("state_store:\n  backend: sqlite\n  dsn_env: PG_DSN\n"), "state_store.dsn_env", ["only used with backend: postgres"] },
        { "duplicate notifier names", ConfigYaml.With("notifiers:\n  - backend: log\n  - backend: log\n"), "notifiers[1].name", ["duplicate notifier name 'log'"] },
        { "no cameras key", ConfigYaml.Storage, "cameras", ["is required"] },
        { "empty camera list", "cameras: []\n" + ConfigYaml.Storage, "cameras", ["at least one camera"] },
        { "camera list left blank", "cameras:\n" + ConfigYaml.Storage, "cameras", ["at least one camera"] },
        { "camera that is not a mapping", "cameras:\n  - front_door\n" + ConfigYaml.Storage, "cameras[0]", ["expected a mapping", "'front_door'"] },
        { "watch_dir missing", ConfigYaml.Minimal.Replace("        watch_dir: /tmp/homesec-tests/front_door\n", "        poll_interval_s: 1\n", StringComparison.Ordinal), "cameras[0].source.config.watch_dir", ["is required"] },
        { "storage root missing", ConfigYaml.Camera + "storage:\n  backend: local\n", "storage.config.root", ["is required"] },
        { "storage backend missing", ConfigYaml.Camera + "storage:\n  config:\n    root: /tmp/s\n", "storage.backend", ["is required"] },
        { "empty extension list", CameraWith("        extensions: []\n") + ConfigYaml.Storage, "cameras[0].source.config.extensions", ["may not be empty"] },
        { "view_url_base not a web or file url", ConfigYaml.Minimal.Replace("    root:", "    view_url_base: ftp://nvr/clips\n    root:", StringComparison.Ordinal), "storage.config.view_url_base", ["'ftp://nvr/clips'", "http, https or file"] },
        { "max_backoff_s below backoff_s", ConfigYaml.With("retry:\n  backoff_s: 10\n  max_backoff_s: 5\n"), "retry.max_backoff_s", ["'5'", "below backoff_s (10)"] },
        { "yaml syntax error", ConfigYaml.With("health:\n  host: [127.0.0.1\n"), "(yaml)", [] },
        { "empty file", "", "(root)", ["empty"] },
        { "comments only", "# nothing here\n", "(root)", ["empty"] },
        { "a list at the root", "- cameras\n- storage\n", "(root)", ["expected a mapping"] },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Should_report_the_key_path_and_what_is_wrong_when_the_config_is_invalid(string @case, string yaml, string path, string[] words)
    {
        // Given
        var registries = PluginRegistries.CreateBuiltin();

        // When
        var exception = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, registries, NoEnvironment));

        // Then
        var atPath = exception.Errors.Where(e => e.Path == path).ToList();
        Assert.True(atPath.Count > 0, $"{@case}: expected an error at '{path}', got: {string.Join(" | ", exception.Errors)}");
        Assert.All(atPath, e => Assert.False(string.IsNullOrWhiteSpace(e.Message), @case));
        var match = atPath.Where(e => words.All(w => e.Message.Contains(w, StringComparison.Ordinal))).ToList();
        Assert.True(match.Count == 1, $"{@case}: expected one error at '{path}' saying [{string.Join(", ", words)}], got: {string.Join(" | ", atPath)}");
        Assert.True(exception.Errors.All(e => e.Path == path), $"{@case}: no error should be reported elsewhere, got: {string.Join(" | ", exception.Errors)}");
        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_report_every_error_at_once_when_a_config_has_several()
    {
        // Given
        var yaml = """
            cameras:
              - name: Front Door
                source:
                  type: local_folder
                  config:
                    watch_dir: /tmp/a
                    colour: red
            storage:
              backend: s3
            alert_policy:
              config:
                min_risk_level: severe
            concurrency:
              max_clips_in_flight: many
            health:
              enabled: maybe
            retry:
              backoff_s: 10
              max_backoff_s: 5
            bogus: 1
            """;

        // When
        var errors = ErrorsOf(yaml);

        // Then
        Assert.Equal(
            [
                "alert_policy.config.min_risk_level",
                "bogus",
                "cameras[0].name",
                "cameras[0].source.config.colour",
                "concurrency.max_clips_in_flight",
                "health.enabled",
                "retry.max_backoff_s",
                "storage.backend",
            ],
            errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Should_give_the_line_of_the_key_when_a_key_is_unknown()
    {
        // Given
        var yaml = ConfigYaml.With("health:\n  enabled: true\n  prot: 80\n");
        var line = yaml.Split('\n').ToList().FindIndex(l => l.Contains("prot:", StringComparison.Ordinal)) + 1;

        // When
        var error = Assert.Single(ErrorsOf(yaml));

        // Then
        Assert.Equal("health.prot", error.Path);
        Assert.Equal(line, error.Line);
        Assert.Contains($"(line {line})", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_give_the_line_when_the_yaml_cannot_be_parsed()
    {
        // Given
        var yaml = "cameras:\n  - name: a\n    source: [\n";

        // When
        var error = Assert.Single(ErrorsOf(yaml));

        // Then
        Assert.Equal("(yaml)", error.Path);
        Assert.NotNull(error.Line);
        Assert.True(error.Line >= 3, $"the error should point at the broken list, got line {error.Line}");
    }

    [Fact]
    public void Should_not_read_the_options_when_the_vlm_is_off()
    {
        // Given
        var yaml = ConfigYaml.With("vlm:\n  backend: none\n  config:\n    model: anything\n");

        // When
        var config = Load(yaml);

        // Then
        Assert.Null(config.Vlm.Plugin);
    }

    [Fact]
    public void Should_skip_a_disabled_notifier_when_it_is_loaded()
    {
        // Given
        var yaml = ConfigYaml.With("notifiers:\n  - backend: log\n    enabled: false\n  - backend: log\n    name: audit\n");

        // When
        var config = Load(yaml);

        // Then
        var notifier = Assert.Single(config.Notifiers);
        Assert.Equal("audit", notifier.Name);
    }

    [Fact]
    public void Should_report_the_path_when_the_config_file_does_not_exist()
    {
        // Given
        var path = Path.Combine(Path.GetTempPath(), "homesec-missing-" + Guid.NewGuid().ToString("N") + ".yaml");

        // When
        var exception = Assert.Throws<ConfigException>(() => AppConfigLoader.LoadFile(path, PluginRegistries.CreateBuiltin(), NoEnvironment));

        // Then
        var error = Assert.Single(exception.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
    }

    private static string CameraWith(string extraSourceConfig) =>
        ConfigYaml.Camera.TrimEnd('\n') + "\n" + extraSourceConfig + "\n";
}
