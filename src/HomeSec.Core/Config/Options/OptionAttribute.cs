namespace HomeSec.Core.Config.Options;

/// <summary>
/// Declares one option of an options record, once: its YAML key, the range a number may take, whether it is
/// required, and what it is for. The default is the property's initializer (or the positional parameter's default
/// value), so <see cref="OptionBinder"/> never needs it written a second time.
/// </summary>
/// <remarks>A <see cref="TimeSpan"/> option is read in seconds (its key ends in <c>_s</c>); Min and Max are seconds too.</remarks>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OptionAttribute(string key) : Attribute
{
    public string Key { get; } = key;

    /// <summary>The smallest number allowed (ints and seconds included); no bound when not set.</summary>
    public double Min { get; set; } = double.MinValue;

    /// <summary>The largest number allowed; no bound when not set.</summary>
    public double Max { get; set; } = double.MaxValue;

    /// <summary>A text option that must be given and not empty.</summary>
    public bool Required { get; set; }

    /// <summary>
    /// The default, only for a positional parameter that cannot have one in C# (a <see cref="TimeSpan"/>: give seconds).
    /// Everywhere else the property initializer or the parameter's default value is the default.
    /// </summary>
    public object? Default { get; set; }

    public string? Description { get; set; }
}

/// <summary>A record of options read from the same section as the record that holds it (e.g. an rtsp source's motion settings).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OptionGroupAttribute : Attribute;

/// <summary>The YAML spelling of one value of an enum option, when it is not the member's name in lower case.</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class OptionValueAttribute(string wireName) : Attribute
{
    public string WireName { get; } = wireName;
}
