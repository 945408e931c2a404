using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Retention;
using Xunit;

namespace HomeSec.Tests.Config;

public sealed class RetentionConfigSpecs
{
    private const string Base = """
        cameras:
          - name: front_door
            source: {type: local_folder, config: {watch_dir: /tmp/homesec-tests/in}}
          - name: driveway
            source: {type: local_folder, config: {watch_dir: /tmp/homesec-tests/drive}}
            retention: { local: { max_days: 7, max_gb: 50 }, source_files: delete_after_stored }
        storage: {backend: local, config: {root: /tmp/homesec-tests/storage}}

        """;

    private static AppConfig Load(string yaml) => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), _ => null);

    [Fact]
    public void Should_read_global_rules_and_let_a_camera_override_them_when_the_readme_example_is_read()
    {
        // Given
        var yaml = Base + """
            retention:
              local: { max_days: 30, keep_alerted_days: 90, max_gb: 200 }
              remote: { max_days: 365 }
              min_free_gb: 5
              source_files: keep
              check_interval_s: 600
            """;

        // When
        var retention = Load(yaml).Retention;

        // Then
        Assert.Equal(30, retention.For("front_door").LocalMaxDays);
        Assert.Equal(90, retention.For("front_door").KeepAlertedDays);
        Assert.Null(retention.For("front_door").LocalMaxBytes);
        Assert.Equal(7, retention.For("driveway").LocalMaxDays);
        Assert.Equal(90, retention.For("driveway").KeepAlertedDays);
        Assert.Equal(50L * RetentionConfig.BytesPerGb, retention.For("driveway").LocalMaxBytes);
        Assert.Equal(SourceFilesPolicy.DeleteAfterStored, retention.For("driveway").SourceFiles);
        Assert.Equal(SourceFilesPolicy.Keep, retention.For("front_door").SourceFiles);
        Assert.Equal(365, retention.For("driveway").RemoteMaxDays);
        Assert.Equal(200L * RetentionConfig.BytesPerGb, retention.TotalLocalMaxBytes);
        Assert.Equal(5L * RetentionConfig.BytesPerGb, retention.MinFreeBytes);
        Assert.Equal(5L * RetentionConfig.BytesPerGb / 4, retention.CriticalFreeBytes);
        Assert.True(retention.DeletesAnything);
    }

    [Fact]
    public void Should_delete_nothing_when_there_is_no_retention_section()
    {
        // Given
        var yaml = Base.Replace("retention: { local: { max_days: 7, max_gb: 50 }, source_files: delete_after_stored }", "", StringComparison.Ordinal);

        // When
        var retention = Load(yaml).Retention;

        // Then
        Assert.False(retention.DeletesAnything);
    }

    [Theory]
    [InlineData("retention: {source_files: move}", "retention.source_files: 'move' is not allowed; allowed: keep, delete_after_stored")]
    [InlineData("retention: {local: {max_days: -1}}", "retention.local.max_days: '-1' is not allowed")]
    [InlineData("retention: {min_free_gb: 1, critical_free_gb: 2}", "retention.critical_free_gb: is above min_free_gb")]
    [InlineData("retention: {local: {max_size: 3}}", "retention.local.max_size")]
    public void Should_name_the_key_and_what_is_allowed_when_a_rule_is_wrong(string section, string expected)
    {
        // Given
        var yaml = Base + section;

        // When
        var errors = Assert.Throws<ConfigException>(() => Load(yaml)).Errors;

        // Then
        Assert.Contains(errors, e => e.ToString().Contains(expected, StringComparison.Ordinal));
    }
}
