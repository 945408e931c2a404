namespace HomeSec.Core.Alerts.Gate;

/// <summary>The household's armed mode: which cameras may alert (<c>home</c>, <c>away</c>) or none (<c>off</c>).</summary>
public enum ArmedMode
{
    Home,
    Away,
    Off,
}

public static class ArmedModes
{
    public static IReadOnlyDictionary<string, ArmedMode> ByWireName { get; } = new Dictionary<string, ArmedMode>(StringComparer.Ordinal)
    {
        ["home"] = ArmedMode.Home,
        ["away"] = ArmedMode.Away,
        ["off"] = ArmedMode.Off,
    };

    public static string ToWireName(this ArmedMode mode) => mode switch
    {
        ArmedMode.Home => "home",
        ArmedMode.Away => "away",
        ArmedMode.Off => "off",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    public static bool TryParse(string? text, out ArmedMode mode) => ByWireName.TryGetValue(text?.Trim().ToLowerInvariant() ?? "", out mode);
}
