namespace HomeSec.Core.Config;

/// <summary>One problem in the user's config: where it is and what is wrong and allowed.</summary>
public sealed record ConfigError(string Path, string Message, int? Line = null, int? Column = null)
{
    public override string ToString() => (Line, Column) switch
    {
        ({ } line, { } column) => $"{Path}: {Message} (line {line}, column {column})",
        ({ } line, null) => $"{Path}: {Message} (line {line})",
        _ => $"{Path}: {Message}",
    };
}

public sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : Exception($"invalid configuration:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
