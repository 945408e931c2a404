using System.Text.RegularExpressions;
using HomeSec.Core.Config;
using HomeSec.Core.Config.Seed;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.AlertPolicies.Default;
using HomeSec.Core.Plugins.Filters.Yolo;
using HomeSec.Core.Plugins.Sources.Rtsp;
using HomeSec.Core.Plugins.Storage.Local;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace HomeSec.Tests.Config;

/// <summary>
/// <c>homesec config migrate</c>'s conversion of a config of the Python HomeSec (the seed): the seed's own
/// example config comes out as a config HomeSec accepts, and every seed key that did not keep its name and
/// place has a note.
/// </summary>
public sealed partial class SeedConfigMigrationSpecs
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "HomeSec.Tests", "Config", "Fixtures", name));

    /// <summary>
    /// The seed downloaded its YOLO weights itself; HomeSec runs an exported ONNX file, which the user puts where
    /// the migrated config says. Here an 80-class (COCO) test model stands in for that exported file.
    /// </summary>
    private static string WithExportedModel(string yaml) =>
        yaml.Replace("model_path: ./models/yolo11n.onnx", $"model_path: {Path.Combine(RepoPaths.Root, "tests", "models", "bench_detector.onnx")}", StringComparison.Ordinal);

    /// <summary>Every variable a migrated config names, set to a value of the kind it must hold.</summary>
    private static string? Environment(string name) => name switch
    {
        _ when name.Contains("DSN", StringComparison.Ordinal) => "Host=127.0.0.1;Port=5432;Username=homesec;Password=secret;Database=homesec",
        _ when name.Contains("RTSP", StringComparison.Ordinal) => "rtsp://user:secret@192.168.1.20:554/stream1",
        _ => "a-secret-value",
    };

    [Fact]
    public void Should_give_a_config_that_validates_when_the_seed_example_is_migrated()
    {
        // Given
        var seed = Fixture("seed-example.yaml");

        // When
        var result = SeedConfigMigration.Migrate(seed, "seed-example.yaml");
        var config = AppConfigLoader.Load(WithExportedModel(result.Yaml), PluginRegistries.CreateBuiltin(), Environment);

        // Then the seed's settings arrive where HomeSec reads them
        Assert.Equal(["front_door", "ftp_camera", "local_camera"], config.Cameras.Select(c => c.Name));
        var rtsp = Assert.IsType<RtspSourceOptions>(config.Cameras[0].Source.Options);
        Assert.Equal(["-rtsp_transport", "tcp", "-vsync", "0"], rtsp.FfmpegFlags);
        Assert.Equal(TimeSpan.FromSeconds(2), rtsp.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), rtsp.StopDelay);
        Assert.Equal(45, rtsp.Motion.PixelThreshold);
        Assert.Equal(3, rtsp.DetectFallbackAttempts);
        Assert.Equal("auto", rtsp.HardwareDecode);
        Assert.Equal("dropbox", config.Storage.Plugin.Name);
        Assert.Equal(StateStoreBackend.Postgres, config.StateStore.Backend);
        Assert.Equal("mqtt", Assert.Single(config.Notifiers).Plugin.Name);
        var yolo = Assert.IsType<YoloFilterOptions>(config.Filter.Plugin.Options);
        Assert.Equal(["person", "car", "truck", "motorcycle", "bicycle", "dog", "cat"], yolo.Classes);
        Assert.Equal(4, yolo.Inference.Workers);
        Assert.Equal(["person"], config.Filter.TriggerClasses);
        Assert.Equal("openai", config.Vlm.Plugin?.Name);
        Assert.Equal(2, config.Concurrency.VlmWorkers);
        Assert.Equal(["person_at_door", "delivery", "suspicious_behavior", "animal"], Assert.IsType<AlertOverrides>(config.AlertPolicy.PerCamera["front_door"]).NotifyOnActivityTypes);
    }

    [Theory]
    [InlineData("seed-example.yaml")]
    [InlineData("seed-example-alternatives.yaml")]
    public void Should_note_every_seed_key_that_does_not_keep_its_name_and_place_when_a_seed_config_is_migrated(string fixture)
    {
        // Given
        var seed = Fixture(fixture);

        // When
        var result = SeedConfigMigration.Migrate(seed, fixture);

        // Then every leaf of the seed is in the output at the same path, or a note names it (or a section above it)
        var kept = LeafPaths(Parse(result.Yaml)).ToHashSet(StringComparer.Ordinal);
        var noted = result.Notes.Select(n => n.SeedPath).ToList();
        var unaccounted = LeafPaths(Parse(seed))
            .Where(path => !kept.Contains(path) && !noted.Any(n => path == n || path.StartsWith(n + ".", StringComparison.Ordinal) || path.StartsWith(n + "[", StringComparison.Ordinal)))
            .ToList();
        Assert.Empty(unaccounted);
        Assert.DoesNotContain(result.Notes, n => n.Kind == "kept");
    }

    [Fact]
    public void Should_name_the_seed_keys_the_issue_lists_in_the_notes_when_the_seed_example_with_its_alternatives_is_migrated()
    {
        // Given
        var seed = Fixture("seed-example-alternatives.yaml");

        // When
        var notes = SeedConfigMigration.Migrate(seed, "seed.yaml").Notes.Select(n => n.ToString()).ToList();

        // Then
        Assert.Contains("renamed storage.local to storage.config", notes);
        Assert.Contains("renamed filter.plugin to filter.backend", notes);
        Assert.Contains("renamed vlm.llm.model to vlm.config.model", notes);
        Assert.Contains("renamed vlm.llm.api_key_env to vlm.config.api_key_env", notes);
        Assert.Contains("renamed vlm.preprocessing.max_frames to vlm.config.max_frames", notes);
        Assert.Contains(notes, n => n.StartsWith("changed notifiers[1].backend: sendgrid_email is HomeSec's email notifier", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("renamed filter.max_workers to filter.config.inference_workers", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("renamed vlm.max_workers to concurrency.vlm_workers", StringComparison.Ordinal)
            || n.StartsWith("dropped vlm.max_workers", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("dropped health.mqtt_is_critical: ", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("dropped storage.dropbox: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_leave_only_what_a_note_asks_for_when_the_seed_example_with_its_alternatives_is_migrated()
    {
        // Given the seed's alternatives: local storage, authenticated FTP, SendGrid, retry, concurrency, health
        var seed = Fixture("seed-example-alternatives.yaml");

        // When
        var result = SeedConfigMigration.Migrate(seed, "seed.yaml");
        var errors = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(WithExportedModel(result.Yaml), PluginRegistries.CreateBuiltin(), Environment)).Errors;

        // Then HomeSec still needs the FTP login name, which the seed read from a variable, and a note says so
        var error = Assert.Single(errors);
        Assert.Equal("cameras[1].source.config.username", error.Path);
        Assert.Contains(result.Notes, n => n.Kind == "dropped" && n.SeedPath == "cameras[1].source.config.username_env"
            && n.Reason!.Contains("write cameras[1].source.config.username with the value of FTP_USERNAME", StringComparison.Ordinal));

        // And with it written, the config validates and keeps the alternatives
        var withLogin = PasswordLine().Replace(result.Yaml, "$0\n${indent}username: garage", 1);
        var config = AppConfigLoader.Load(WithExportedModel(withLogin), PluginRegistries.CreateBuiltin(), Environment);
        Assert.Equal(Path.GetFullPath("./storage"), Assert.IsType<LocalStorageOptions>(config.Storage.Plugin.Options).Root);
        Assert.Equal(["mqtt", "email"], config.Notifiers.Select(n => n.Plugin.Name));
        Assert.Equal("0.0.0.0", config.Health.Host);
        Assert.Equal(4, config.Concurrency.MaxClipsInFlight);
    }

    [Fact]
    public void Should_never_write_a_secret_and_name_the_variable_to_set_when_the_seed_wrote_a_camera_url_and_a_dsn()
    {
        // Given
        var seed = """
            version: 1
            cameras:
              - name: back-yard
                source:
                  type: rtsp
                  config: {rtsp_url: "rtsp://admin:hunter2@10.0.0.5/stream", output_dir: ./recordings}
            storage: {backend: local, local: {root: ./storage}}
            state_store: {dsn: "postgresql://homesec:hunter2@db/homesec"}
            notifiers: [{backend: mqtt, config: {host: localhost}}]
            filter: {plugin: yolo, config: {model_path: ./models/yolo11n.onnx}}
            vlm: {backend: openai, llm: {api_key_env: OPENAI_API_KEY, model: gpt-4o}}
            alert_policy: {backend: default}
            """;

        // When
        var result = SeedConfigMigration.Migrate(seed, "seed.yaml");

        // Then
        Assert.DoesNotContain("hunter2", result.Yaml, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Notes, n => n.ToString().Contains("hunter2", StringComparison.Ordinal));
        Assert.Contains(result.Notes, n => n.SeedPath == "cameras[0].source.config.rtsp_url" && n.Reason!.Contains("set BACK_YARD_RTSP_URL", StringComparison.Ordinal));
        Assert.Contains(result.Notes, n => n.SeedPath == "state_store.dsn" && n.Reason!.Contains("set HOMESEC_DB_DSN", StringComparison.Ordinal));
        var config = AppConfigLoader.Load(WithExportedModel(result.Yaml), PluginRegistries.CreateBuiltin(), Environment);
        Assert.Equal("rtsp://user:secret@192.168.1.20:554/stream1", Assert.IsType<RtspSourceOptions>(config.Cameras[0].Source.Options).MainUrl);
    }

    [Fact]
    public void Should_read_the_seeds_later_shape_when_filter_and_vlm_use_backend_and_config()
    {
        // Given the seed's shape after its plugin-config cleanup (filter.backend, vlm.config, alert_policy.config.overrides)
        var seed = """
            version: 1
            cameras: [{name: porch, source: {type: local_folder, config: {watch_dir: ./recordings, poll_interval: 0.5}}}]
            storage: {backend: local, config: {root: ./storage}}
            state_store: {dsn_env: DB_DSN}
            notifiers: [{backend: mqtt, config: {host: localhost}}]
            filter: {backend: yolo, config: {max_workers: 3, classes: [person, dog]}}
            vlm:
              backend: openai
              trigger_classes: [person, dog]
              run_mode: trigger_only
              config: {api_key_env: OPENAI_API_KEY, model: gpt-4o}
              preprocessing: {max_frames: 6}
            alert_policy:
              backend: default
              config:
                min_risk_level: high
                overrides:
                  porch: {min_risk_level: low, notify_on_activity_types: [package_theft]}
            """;

        // When
        var result = SeedConfigMigration.Migrate(seed, "seed.yaml");
        var config = AppConfigLoader.Load(WithExportedModel(result.Yaml), PluginRegistries.CreateBuiltin(), Environment);

        // Then
        Assert.Equal(TimeSpan.FromSeconds(0.5), Assert.IsType<HomeSec.Core.Plugins.Sources.LocalFolder.LocalFolderOptions>(config.Cameras[0].Source.Options).PollInterval);
        Assert.Equal(3, Assert.IsType<YoloFilterOptions>(config.Filter.Plugin.Options).Inference.Workers);
        Assert.Equal(["person", "dog"], config.Filter.TriggerClasses);
        Assert.Equal(["package_theft"], Assert.IsType<AlertOverrides>(config.AlertPolicy.PerCamera["porch"]).NotifyOnActivityTypes);
        Assert.Contains("package_theft", config.Vlm.ActivityTypes.Names);
        Assert.Contains(result.Notes, n => n.ToString() == "renamed alert_policy.config.overrides to per_camera_alert");
        Assert.Contains(result.Notes, n => n.Kind == "dropped" && n.SeedPath == "vlm.run_mode");
    }

    [Fact]
    public void Should_recognise_the_seed_shape_but_not_homesecs_own_example()
    {
        // Given
        var seed = Fixture("seed-example.yaml");
        var homesec = File.ReadAllText(RepoPaths.ExampleConfig);

        // When
        var seedLooksLikeSeed = SeedConfigMigration.LooksLikeSeed(seed);
        var homesecLooksLikeSeed = SeedConfigMigration.LooksLikeSeed(homesec);
        var brokenLooksLikeSeed = SeedConfigMigration.LooksLikeSeed("storage: {local: [");

        // Then
        Assert.True(seedLooksLikeSeed);
        Assert.False(homesecLooksLikeSeed);
        Assert.False(brokenLooksLikeSeed);
    }

    [Theory]
    [InlineData("cameras: [{name: x\nstorage: {}\n", "(yaml)")]
    [InlineData("- just\n- a list\n", "(root)")]
    [InlineData("", "(root)")]
    public void Should_report_where_when_the_seed_file_is_not_a_yaml_mapping(string yaml, string path)
    {
        // Given the text

        // When
        var errors = Assert.Throws<ConfigException>(() => SeedConfigMigration.Migrate(yaml, "seed.yaml")).Errors;

        // Then
        Assert.Equal(path, Assert.Single(errors).Path);
    }

    /// <summary>The FTP camera's password_env line, with its indentation, to write the login name beside it.</summary>
    [GeneratedRegex("^(?<indent> *)password_env: FTP_PASSWORD$", RegexOptions.Multiline)]
    private static partial Regex PasswordLine();

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    /// <summary>Paths of the scalars and scalar lists of a config (cameras[0].source.type, filter.config.classes, …).</summary>
    private static IEnumerable<string> LeafPaths(YamlNode node, string path = "") => node switch
    {
        YamlMappingNode mapping when mapping.Children.Count == 0 => [path],
        YamlMappingNode mapping => mapping.Children.SelectMany(c => LeafPaths(c.Value, path.Length == 0 ? ((YamlScalarNode)c.Key).Value! : $"{path}.{((YamlScalarNode)c.Key).Value}")),
        YamlSequenceNode sequence when sequence.Children.Any(c => c is YamlMappingNode) => sequence.Children.SelectMany((c, i) => LeafPaths(c, $"{path}[{i}]")),
        _ => [path],
    };
}
