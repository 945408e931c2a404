using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Tests.TestSupport;
using Xunit;

namespace HomeSec.Tests.Config;

/// <summary>What <c>run</c> would fail on later is rejected when the config is read, so <c>validate</c> reports it.</summary>
public sealed class ConfigRejectionSpecs
{
    private const string Storage = "storage: {backend: local, config: {root: /tmp/homesec-tests/storage}}\n";

    private static IReadOnlyList<ConfigError> ErrorsOf(string yaml, IReadOnlyDictionary<string, string>? environment = null) =>
        Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(),
            name => environment is not null && environment.TryGetValue(name, out var value) ? value : null)).Errors;

    [Fact]
    public void Should_name_the_key_and_what_is_allowed_when_a_notifier_name_has_a_space()
    {
        // Given
        var yaml = ConfigYaml.Camera + Storage + "notifiers:\n  - name: phone alerts\n    backend: log\n    config: {path: /tmp/homesec-tests/alerts.jsonl}\n";

        // When
        var errors = ErrorsOf(yaml);

        // Then
        var error = Assert.Single(errors);
        Assert.Equal("notifiers[0].name", error.Path);
        Assert.Contains("'phone alerts' is not allowed; use letters, digits, '_' and '-'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_the_key_when_a_camera_name_has_a_slash()
    {
        // Given
        var yaml = ConfigYaml.Camera.Replace("front_door\n", "front/door\n", StringComparison.Ordinal) + Storage;

        // When
        var errors = ErrorsOf(yaml);

        // Then
        var error = Assert.Single(errors);
        Assert.Equal("cameras[0].name", error.Path);
        Assert.Contains("is not allowed; use lowercase letters, digits, '_' and '-'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cameras:\n  - {name: x, source: {type: local_folder, config: {watch_dir: /tmp}}\n" + Storage)]
    [InlineData("cameras: [{name: x")]
    public void Should_give_the_line_and_column_when_a_flow_map_is_left_unclosed(string yaml)
    {
        // Given the YAML above

        // When
        var errors = ErrorsOf(yaml);

        // Then
        var error = Assert.Single(errors);
        Assert.Equal("(yaml)", error.Path);
        Assert.NotNull(error.Line);
        Assert.NotNull(error.Column);
        Assert.Matches(@"\(line \d+, column \d+\)$", error.ToString());
    }

    [Fact]
    public void Should_say_a_key_must_be_text_when_a_key_is_a_list()
    {
        // Given
        var yaml = ConfigYaml.Camera + Storage + "[a]: b\n";

        // When
        var errors = ErrorsOf(yaml);

        // Then
        var error = Assert.Single(errors);
        Assert.Contains("a key must be plain text, got a list", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=notaport;Database=homesec;Username=u;Password=hunter2", "Port is not a whole number from 1 to 65535")]
    [InlineData("Port=5432;Password=hunter2", "it names no Host")]
    public void Should_name_the_key_and_the_variable_but_not_the_value_when_the_dsn_is_unusable(string dsn, string problem)
    {
        // Given
        var yaml = ConfigYaml.Camera + Storage + "state_store: {backend: postgres, dsn_env: HOMESEC_DSN}\n";

        // When
        var errors = ErrorsOf(yaml, new Dictionary<string, string> { ["HOMESEC_DSN"] = dsn });

        // Then
        var error = Assert.Single(errors);
        Assert.Equal("state_store.dsn_env", error.Path);
        Assert.Contains("environment variable 'HOMESEC_DSN' is not a usable PostgreSQL connection string", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sk-secret\n", "starts or ends with whitespace, e.g. a trailing newline")]
    [InlineData("", "is set but empty")]
    [InlineData("  ", "is set but empty")]
    public void Should_name_the_key_and_the_variable_but_not_the_value_when_an_env_value_is_empty_or_padded(string value, string problem)
    {
        // Given
        var yaml = ConfigYaml.Camera + Storage + "vlm: {backend: openai, config: {model: gpt-4o-mini, api_key_env: OPENAI_KEY}}\n";

        // When
        var errors = ErrorsOf(yaml, new Dictionary<string, string> { ["OPENAI_KEY"] = value });

        // Then
        var error = Assert.Single(errors);
        Assert.Equal("vlm.config.api_key_env", error.Path);
        Assert.Contains($"environment variable 'OPENAI_KEY' {problem}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_read_the_state_store_without_camera_variables_when_only_the_state_store_is_asked_for()
    {
        // Given
        var file = Path.Combine(Path.GetTempPath(), $"homesec-spec-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            cameras:
              - name: porch
                source: {type: rtsp, config: {rtsp_url_env: PORCH_URL_NOT_SET}}
            storage: {backend: local, config: {root: /tmp/homesec-tests/storage}}
            state_store: {backend: sqlite, path: /tmp/homesec-tests/state.db}
            """);

        try
        {
            // When
            var stateStore = AppConfigLoader.LoadStateStoreFile(file, _ => null);

            // Then
            Assert.Equal(StateStoreBackend.Sqlite, stateStore.Backend);
            Assert.Equal("/tmp/homesec-tests/state.db", stateStore.SqlitePath);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
