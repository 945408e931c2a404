using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.AlertPolicies.Default;
using HomeSec.Core.Plugins.Analyzers.OpenAi;
using Xunit;

namespace HomeSec.Tests.Config;

public sealed class OpenAiConfigSpecs
{
    private const string Secret = "sk-live-do-not-print";

    [Fact]
    public void Should_read_the_openai_options_with_their_defaults_when_only_model_and_key_are_given()
    {
        // Given
        var yaml = Config("""
            vlm:
              backend: openai
              config:
                model: gpt-4o-mini
                api_key_env: HOMESEC_TEST_OPENAI_KEY
            """);

        // When
        var config = AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment(("HOMESEC_TEST_OPENAI_KEY", Secret)));

        // Then
        var options = Assert.IsType<OpenAiAnalyzerOptions>(config.Vlm.Plugin!.Options);
        Assert.Equal("openai", config.Vlm.Plugin.Name);
        Assert.Equal(new Uri("https://api.openai.com/v1"), options.BaseUrl);
        Assert.Equal("gpt-4o-mini", options.Model);
        Assert.Equal(Secret, options.ApiKey);
        Assert.Equal((8, 768, 80), (options.MaxFrames, options.MaxSize, options.Quality));
        Assert.Equal(ResponseFormatMode.Auto, options.ResponseFormat);
        Assert.Null(options.Temperature);
        Assert.Equal(OpenAiAnalyzerOptions.DefaultPrompt, options.Prompt);
        Assert.DoesNotContain(Secret, options.ToString());
    }

    [Theory]
    [InlineData(null, "max_tokens")]
    [InlineData("max_completion_tokens", "max_completion_tokens")]
    public void Should_send_the_token_limit_in_the_configured_field_when_building_a_request(string? field, string expectedField)
    {
        // Given
        var yaml = Config($$"""
            vlm:
              backend: openai
              config:
                base_url: http://localhost:11434/v1/
                model: gpt-5-mini
                max_tokens: 700
                {{(field is null ? "" : "max_tokens_field: " + field)}}
            """);
        var options = Assert.IsType<OpenAiAnalyzerOptions>(AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment()).Vlm.Plugin!.Options);
        var at = DateTimeOffset.UnixEpoch;
        var clip = new HomeSec.Core.Clips.RecordedClip(HomeSec.Core.Clips.ClipId.Parse("porch-19700101T000000Z"), "porch", "/clips/p.mp4", at, at, 1);

        // When
        var body = OpenAiChatRequest.Build(options, ResponseFormatMode.JsonSchema, clip, HomeSec.Core.Alerts.FilterResult.NoDetector, []);

        // Then
        Assert.Equal(700, (int)body[expectedField]!);
        Assert.Single(body, pair => pair.Key is "max_tokens" or "max_completion_tokens");
    }

    [Fact]
    public void Should_tell_the_model_which_zones_the_objects_stood_in()
    {
        // Given a clip whose person stood in the camera's porch zone
        var yaml = Config("""
            vlm:
              backend: openai
              config:
                model: gpt-5-mini
            """);
        var options = Assert.IsType<OpenAiAnalyzerOptions>(AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment()).Vlm.Plugin!.Options);
        var at = DateTimeOffset.UnixEpoch;
        var clip = new HomeSec.Core.Clips.RecordedClip(HomeSec.Core.Clips.ClipId.Parse("porch-19700101T000000Z"), "porch", "/clips/p.mp4", at, at.AddSeconds(6), 1);
        var filter = new HomeSec.Core.Alerts.FilterResult(["person"], 0.9, 4, "yolo") { ZonesSeen = ["porch", "path"] };

        // When
        var text = OpenAiChatRequest.Build(options, ResponseFormatMode.JsonSchema, clip, filter, []).ToJsonString().Replace("\\u0027", "'", StringComparison.Ordinal);

        // Then
        Assert.Contains("the object detector saw: person, in the camera's zone(s): porch, path", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_reject_an_unknown_token_limit_field_when_the_config_names_one()
    {
        // Given
        var yaml = Config("""
            vlm:
              backend: openai
              config:
                model: gpt-5-mini
                max_tokens_field: tokens
            """);

        // When
        var error = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment()));

        // Then
        Assert.Contains(error.Errors, e => e.Path == "vlm.config.max_tokens_field" && e.Message.Contains("max_completion_tokens", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_read_a_local_server_without_a_key_when_api_key_env_is_left_out()
    {
        // Given
        var yaml = Config("""
            vlm:
              backend: openai
              config:
                base_url: http://localhost:11434/v1/
                model: qwen2.5vl:7b
                response_format: json_object
                max_frames: 4
                temperature: 0.2
                request_timeout_s: 90
            """);

        // When
        var config = AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment());

        // Then
        var options = Assert.IsType<OpenAiAnalyzerOptions>(config.Vlm.Plugin!.Options);
        Assert.Null(options.ApiKey);
        Assert.Equal("http://localhost:11434/v1", options.BaseUrl.AbsoluteUri.TrimEnd('/'));
        Assert.Equal(ResponseFormatMode.JsonObject, options.ResponseFormat);
        Assert.Equal(4, options.MaxFrames);
        Assert.Equal(0.2, options.Temperature);
        Assert.Equal(TimeSpan.FromSeconds(90), options.RequestTimeout);
    }

    [Fact]
    public void Should_reject_the_config_naming_the_variable_when_the_api_key_variable_is_not_set()
    {
        // Given
        var yaml = Config("""
            vlm:
              backend: openai
              config:
                model: gpt-4o-mini
                api_key_env: HOMESEC_TEST_MISSING_KEY
            """);

        // When
        var failure = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment()));

        // Then
        var error = Assert.Single(failure.Errors);
        Assert.Equal("vlm.config.api_key_env", error.Path);
        Assert.Contains("HOMESEC_TEST_MISSING_KEY", error.Message);
    }

    [Fact]
    public void Should_reject_every_bad_openai_option_at_once_when_the_config_has_several()
    {
        // Given
        var yaml = Config("""
            vlm:
              backend: openai
              config:
                base_url: ftp://example.org
                response_format: xml
                quality: 0
                max_frames: 1000
                retries: 3
            """);

        // When
        var failure = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment()));

        // Then
        Assert.Equal(
            ["vlm.config.base_url", "vlm.config.max_frames", "vlm.config.model", "vlm.config.quality", "vlm.config.response_format", "vlm.config.retries"],
            failure.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Contains(failure.Errors, e => e.Path == "vlm.config.response_format" && e.Message.Contains("auto, json_schema, json_object, text"));
    }

    [Fact]
    public void Should_reject_an_activity_outside_the_vocabulary_listing_the_allowed_ones_when_the_alert_policy_names_it()
    {
        // Given
        var yaml = Config("""
            alert_policy:
              backend: default
              config:
                notify_on_activity_types: [delivery, package_theft]
            per_camera_alert:
              front_door:
                notify_on_activity_types: [intruder]
            """);

        // When
        var failure = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment()));

        // Then
        Assert.Equal(2, failure.Errors.Count);
        var global = Assert.Single(failure.Errors, e => e.Path == "alert_policy.config.notify_on_activity_types");
        Assert.Contains("'package_theft' is not an activity type; allowed: person_passing, person_at_door, delivery", global.Message);
        Assert.Contains(failure.Errors, e => e.Path == "per_camera_alert.front_door.notify_on_activity_types" && e.Message.Contains("'intruder'"));
    }

    [Fact]
    public void Should_accept_the_activity_in_alert_rules_and_the_vlm_schema_when_it_is_added_under_extra_activity_types()
    {
        // Given
        var yaml = Config("""
            vlm:
              backend: openai
              extra_activity_types: [package_theft]
              config:
                model: llava
            alert_policy:
              backend: default
              config:
                notify_on_activity_types: [package_theft]
            per_camera_alert:
              front_door:
                notify_on_activity_types: [package_theft, delivery]
            """);

        // When
        var config = AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment());

        // Then
        Assert.Contains("package_theft", config.Vlm.ActivityTypes.Names);
        var options = Assert.IsType<OpenAiAnalyzerOptions>(config.Vlm.Plugin!.Options);
        var schemaEnum = AnalysisJsonSchema.For(options.ActivityTypes)["properties"]!["activity_type"]!["enum"]!.AsArray().Select(v => (string)v!);
        Assert.Equal(config.Vlm.ActivityTypes.Names, schemaEnum);
        Assert.Equal(["package_theft"], Assert.IsType<DefaultAlertPolicyOptions>(config.AlertPolicy.Options).NotifyOnActivityTypes);
        Assert.Equal(["package_theft", "delivery"], Assert.IsType<AlertOverrides>(config.AlertPolicy.PerCamera["front_door"]).NotifyOnActivityTypes!);
    }

    [Fact]
    public void Should_reject_an_extra_activity_type_when_its_name_is_not_snake_case()
    {
        // Given
        var yaml = Config("""
            vlm:
              backend: none
              extra_activity_types: [Package Theft]
            """);

        // When
        var failure = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment()));

        // Then
        var error = Assert.Single(failure.Errors);
        Assert.Equal("vlm.extra_activity_types", error.Path);
        Assert.Contains("'Package Theft' is not allowed", error.Message);
    }

    /// <summary>A minimal valid config plus the given sections.</summary>
    private static string Config(string sections) =>
        $"""
         cameras:
           - name: front_door
             source:
               type: local_folder
               config:
                 watch_dir: /tmp/homesec-config-specs
         storage:
           backend: local
           config:
             root: /tmp/homesec-config-specs-storage
         {sections}
         """;

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
