using HomeSec.Core.Config;
using HomeSec.Core.Config.Options;
using HomeSec.Core.Plugins.Sources.Rtsp;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace HomeSec.Tests.Config;

/// <summary>The one binder every annotated options record is read by: defaults, ranges, allowed values, unknown keys.</summary>
public sealed class OptionBinderSpecs
{
    [Fact]
    public void Should_give_every_declared_default_when_the_section_has_no_keys()
    {
        // Given
        const string yaml = "sample: {}";

        // When
        var (options, errors) = BindSample<SampleOptions>(yaml);

        // Then
        Assert.Empty(errors);
        var declared = new SampleOptions();
        Assert.Equal(declared, options with { Tags = declared.Tags });
        Assert.Equal(["a"], options.Tags);
        Assert.Equal(new SampleGroup(), options.Group);
    }

    [Fact]
    public void Should_read_each_type_when_the_keys_are_given()
    {
        // Given
        const string yaml = """
            sample:
              count: 7
              ratio: 0.25
              wait_s: 1.5
              enabled: false
              label: porch
              tags: [x, y]
              colour: dark_blue
              level: 3
            """;

        // When
        var (options, errors) = BindSample<SampleOptions>(yaml);

        // Then
        Assert.Empty(errors);
        Assert.Equal(7, options.Count);
        Assert.Equal(0.25, options.Ratio);
        Assert.Equal(TimeSpan.FromSeconds(1.5), options.Wait);
        Assert.False(options.Enabled);
        Assert.Equal("porch", options.Label);
        Assert.Equal(["x", "y"], options.Tags);
        Assert.Equal(SampleColour.DarkBlue, options.Colour);
        Assert.Equal(3, options.Group.Level);
    }

    [Theory]
    [InlineData("count: 11", "sample.count", "'11' is not allowed; expected a whole number from 1 to 10")]
    [InlineData("ratio: 2", "sample.ratio", "'2' is not allowed; expected a number from 0 to 1")]
    [InlineData("wait_s: -1", "sample.wait_s", "'-1' is not allowed; expected a number from 0 to 60")]
    [InlineData("level: 0", "sample.level", "'0' is not allowed; expected a whole number from 1 to 5")]
    [InlineData("colour: green", "sample.colour", "'green' is not allowed; allowed: red, dark_blue")]
    [InlineData("enabled: maybe", "sample.enabled", "'maybe' is not allowed; expected true or false")]
    public void Should_name_the_key_path_and_what_is_allowed_when_a_value_is_out_of_range(string entry, string path, string message)
    {
        // Given
        var yaml = $"sample:\n  {entry}\n";

        // When
        var (options, errors) = BindSample<SampleOptions>(yaml);

        // Then
        var error = Assert.Single(errors);
        Assert.Equal(path, error.Path);
        Assert.Equal(message, error.Message);
        Assert.Equal(new SampleOptions().Count, options.Count);
    }

    [Fact]
    public void Should_report_an_unknown_key_with_the_known_keys_when_the_section_has_a_key_no_option_declares()
    {
        // Given
        const string yaml = "sample:\n  cuont: 3\n";

        // When
        var (_, errors) = BindSample<SampleOptions>(yaml);

        // Then
        var error = Assert.Single(errors);
        Assert.Equal("sample.cuont", error.Path);
        Assert.StartsWith("unknown key; known keys here: colour, count, enabled", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_require_a_text_option_when_it_is_declared_required()
    {
        // Given
        const string yaml = "sample: {}";

        // When
        var (_, errors) = BindSample<RequiredSample>(yaml);

        // Then
        var error = Assert.Single(errors);
        Assert.Equal("sample.name", error.Path);
        Assert.Equal("is required", error.Message);
    }

    [Fact]
    public void Should_describe_each_option_once_when_asked_for_the_declarations()
    {
        // Given
        var described = OptionBinder.Describe<SampleOptions>();

        // When
        var count = Assert.Single(described, d => d.Key == "count");
        var wait = Assert.Single(described, d => d.Key == "wait_s");
        var colour = Assert.Single(described, d => d.Key == "colour");
        var level = Assert.Single(described, d => d.Key == "level");

        // Then
        Assert.Equal(new OptionDescription("count", "4", 1, 10, false, "how many"), count);
        Assert.Equal("2", wait.Default);
        Assert.Equal("red", colour.Default);
        Assert.Equal(("2", 1.0, 5.0), (level.Default, level.Min, level.Max));
    }

    [Fact]
    public void Should_describe_the_rtsp_sources_defaults_from_their_one_declaration()
    {
        // Given
        var defaults = new RtspSourceOptions { MainUrl = "rtsp://x", OutputDir = "/x", ManifestPath = "/x/m" };

        // When
        var described = OptionBinder.Describe<RtspSourceOptions>().ToDictionary(d => d.Key, d => d.Default, StringComparer.Ordinal);

        // Then
        Assert.Equal(defaults.DetectWidth.ToString(System.Globalization.CultureInfo.InvariantCulture), described["detect_width"]);
        Assert.Equal(defaults.StopDelay.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), described["stop_delay_s"]);
        Assert.Equal("5", described["blur_kernel"]);
        Assert.Equal("45", described["pixel_threshold"]);
    }

    [Fact]
    public void Should_refuse_at_bind_time_when_an_option_has_a_type_the_binder_cannot_read()
    {
        // Given
        const string yaml = "sample: {}";

        // When
        var exception = Assert.Throws<InvalidOperationException>(() => BindSample<UnreadableSample>(yaml));

        // Then
        Assert.Contains("'when'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_take_the_attributes_default_when_a_positional_parameter_cannot_have_one()
    {
        // Given
        const string yaml = "sample:\n  limit: 9\n";

        // When
        var (options, errors) = BindSample<PositionalSample>(yaml);

        // Then
        Assert.Empty(errors);
        Assert.Equal(new PositionalSample(null!, 9, TimeSpan.FromSeconds(90), 2.0), options);
    }

    [Fact]
    public void Should_build_the_record_at_its_declared_defaults_when_asked_for_the_defaults()
    {
        // Given
        var declared = OptionBinder.Describe<OutboxConfig>().ToDictionary(d => d.Key, d => d.Default, StringComparer.Ordinal);

        // When
        var defaults = OptionBinder.Defaults<OutboxConfig>();

        // Then
        Assert.Equal((declared["max_items"], declared["backoff_s"], declared["max_backoff_s"]), ("1000", "5", "300"));
        Assert.Equal((1000, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5)), (defaults.MaxItems, defaults.Backoff, defaults.MaxBackoff));
        Assert.Null(defaults.Dir);
    }

    [Fact]
    public void Should_describe_every_options_record_of_homesec_when_its_annotations_are_consistent()
    {
        // Given
        var optionsTypes = typeof(OptionBinder).Assembly.GetTypes()
            .Where(t => t.GetProperties().Any(p => p.IsDefined(typeof(OptionAttribute), inherit: false)))
            .ToList();
        var describe = typeof(OptionBinder).GetMethod(nameof(OptionBinder.Describe))!;

        // When
        var described = optionsTypes.ToDictionary(t => t.Name, t => (IReadOnlyList<OptionDescription>)describe.MakeGenericMethod(t).Invoke(null, null)!);

        // Then
        Assert.True(optionsTypes.Count >= 15, $"only {optionsTypes.Count} annotated options records were found");
        Assert.All(described, d => Assert.Equal(d.Value.Count, d.Value.Select(o => o.Key).Distinct(StringComparer.Ordinal).Count()));
        Assert.All(described.Values.SelectMany(o => o), o => Assert.True(o.Required || o.Default is not null, $"option '{o.Key}' has no default"));
    }

    /// <summary>Reads <c>sample</c> of the YAML as the config loader reads a section, unknown keys included.</summary>
    private static (T Options, IReadOnlyList<ConfigError> Errors) BindSample<T>(string yaml) where T : class
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var context = new ConfigReadContext(_ => null);
        var section = new ConfigSection("", (YamlMappingNode)stream.Documents[0].RootNode, context).Section("sample");
        var options = OptionBinder.Bind<T>(section);
        return (options, [.. context.Errors, .. context.UnknownKeys()]);
    }

    public enum SampleColour
    {
        Red,
        [OptionValue("dark_blue")]
        DarkBlue,
    }

    public sealed record SampleOptions
    {
        [Option("count", Min = 1, Max = 10, Description = "how many")]
        public int Count { get; init; } = 4;

        [Option("ratio", Min = 0, Max = 1)]
        public double Ratio { get; init; } = 0.5;

        [Option("wait_s", Min = 0, Max = 60)]
        public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(2);

        [Option("enabled")]
        public bool Enabled { get; init; } = true;

        [Option("label")]
        public string Label { get; init; } = "front";

        [Option("tags")]
        public IReadOnlyList<string> Tags { get; init; } = ["a"];

        [Option("colour")]
        public SampleColour Colour { get; init; } = SampleColour.Red;

        [OptionGroup]
        public SampleGroup Group { get; init; } = new();

        /// <summary>Not an option: the binder leaves it alone, its record's Read sets it.</summary>
        public string? Derived { get; init; }
    }

    public sealed record SampleGroup([property: Option("level", Min = 1, Max = 5)] int Level = 2);

    /// <param name="Name">No option: the record's Read sets it after binding.</param>
    public sealed record PositionalSample(
        string Name,
        [property: Option("limit", Min = 1, Max = 10, Default = 3)] int Limit,
        [property: Option("window_s", Min = 0, Max = 3600, Default = 90)] TimeSpan Window,
        [property: Option("scale", Min = 0, Max = 10, Default = 2)] double Scale);

    public sealed record RequiredSample
    {
        [Option("name", Required = true)]
        public string? Name { get; init; }
    }

    public sealed record UnreadableSample
    {
        [Option("when")]
        public DateTime When { get; init; }
    }
}
