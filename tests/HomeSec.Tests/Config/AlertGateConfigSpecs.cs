using HomeSec.Core.Alerts.Gate;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using Xunit;

namespace HomeSec.Tests.Config;

public sealed class AlertGateConfigSpecs
{
    private static AppConfig Load(string yaml) => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), _ => null);

    private static string Camera(string extra) => $$$"""
        cameras:
          - name: front_door
            source: {type: local_folder, config: {watch_dir: /tmp/homesec-tests/in}}
        {{{extra}}}
        storage: {backend: local, config: {root: /tmp/homesec-tests/storage}}
        """;

    [Fact]
    public void Should_read_zones_required_zones_per_class_cooldown_modes_and_the_initial_mode()
    {
        // Given
        var yaml = Camera("""
                zones:
                  - name: porch
                    polygon: "0,200 320,200 320,240 0,240"
                  - name: street
                    polygon: "0.5,0 1,0 1,1 0.5,1"
                    units: relative
                alerts:
                  required_zones: {person: [porch], car: [street]}
                  cooldown_s: 120
                  modes: [away]
            """) + "\nmode: away\n";

        // When
        var config = Load(yaml);
        var rules = config.Cameras[0].AlertRules;

        // Then
        Assert.Equal(ArmedMode.Away, config.InitialMode);
        Assert.Equal(["porch", "street"], rules.Zones.Select(z => z.Name));
        Assert.Equal(ZoneUnits.Relative, rules.Zones[1].Units);
        Assert.Equal(["porch"], rules.RequiredZonesOf("person"));
        Assert.Equal(["street"], rules.RequiredZonesOf("car"));
        Assert.Null(rules.RequiredZonesOf("dog"));
        Assert.Equal(TimeSpan.FromSeconds(120), rules.Cooldown);
        Assert.Equal([ArmedMode.Away], rules.Modes);
    }

    [Fact]
    public void Should_apply_a_list_of_required_zones_to_every_class_and_default_to_home_and_away()
    {
        // Given
        var yaml = Camera("""
                zones: [{name: porch, polygon: "0,0 10,0 10,10"}]
                alerts: {required_zones: [porch]}
            """);

        // When
        var rules = Load(yaml).Cameras[0].AlertRules;

        // Then
        Assert.Equal(["porch"], rules.RequiredZonesOf("person"));
        Assert.Equal([ArmedMode.Home, ArmedMode.Away], rules.Modes.Order());
        Assert.Equal(ArmedMode.Home, Load(Camera("")).InitialMode);
    }

    [Theory]
    [InlineData("    zones: [{name: porch, polygon: \"0,0 10,0\"}]", "cameras[0].zones[0].polygon: expected at least 3 points")]
    [InlineData("    zones: [{name: porch, polygon: \"0,0 2,0 1,1\", units: relative}]", "cameras[0].zones[0].polygon: relative points must be from 0 to 1")]
    [InlineData("    zones: [{name: Porch!, polygon: \"0,0 2,0 1,1\"}]", "cameras[0].zones[0].name: 'Porch!' is not allowed")]
    [InlineData("    alerts: {required_zones: [porch]}", "cameras[0].alerts.required_zones: no zone is named 'porch'; zones of this camera: none")]
    [InlineData("    alerts: {modes: [night]}", "cameras[0].alerts.modes: 'night' is not allowed; allowed: home, away")]
    [InlineData("mode: asleep", "mode: 'asleep' is not allowed; allowed: home, away, off")]
    public void Should_name_the_key_and_what_is_allowed_when_a_gate_rule_is_wrong(string extra, string expected)
    {
        // Given
        var yaml = extra.StartsWith("mode", StringComparison.Ordinal) ? Camera("") + "\n" + extra + "\n" : Camera(extra);

        // When
        var errors = Assert.Throws<ConfigException>(() => Load(yaml)).Errors;

        // Then
        Assert.Contains(errors, e => e.ToString().Contains(expected, StringComparison.Ordinal));
    }
}
