using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Tests.TestSupport;
using Xunit;

namespace HomeSec.Tests.Config;

/// <summary><c>version</c> at the top of the config: absent or 1 is read, any other value is refused by name.</summary>
public sealed class ConfigVersionSpecs
{
    [Theory]
    [InlineData("")]
    [InlineData("version: 1\n")]
    [InlineData("version: \"1\"\n")]
    public void Should_read_the_config_when_the_version_is_absent_or_1(string versionLine)
    {
        // Given
        var yaml = versionLine + ConfigYaml.Minimal;

        // When
        var config = AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), _ => null);

        // Then
        Assert.Equal("front_door", Assert.Single(config.Cameras).Name);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("0")]
    [InlineData("1.5")]
    [InlineData("latest")]
    public void Should_name_the_key_and_the_allowed_versions_when_the_version_is_unknown(string version)
    {
        // Given
        var yaml = $"version: {version}\n" + ConfigYaml.Minimal;

        // When
        var errors = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), _ => null)).Errors;

        // Then
        var error = Assert.Single(errors);
        Assert.Equal("version", error.Path);
        Assert.Equal($"'{version}' is not allowed; allowed: 1 (or leave it out, which means 1)", error.Message);
    }

    [Fact]
    public void Should_say_a_text_value_is_expected_when_the_version_is_a_mapping()
    {
        // Given
        var yaml = "version: {major: 1}\n" + ConfigYaml.Minimal;

        // When
        var errors = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), _ => null)).Errors;

        // Then
        var error = Assert.Single(errors);
        Assert.Equal("version", error.Path);
        Assert.StartsWith("expected a text value", error.Message, StringComparison.Ordinal);
    }
}
