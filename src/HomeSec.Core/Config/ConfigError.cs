namespace HomeSec.Core.Config;

/// <summary>One problem in the user's config: where it is and what is wrong and allowed.</summary>
public sealed record ConfigError(string Path, string Message, int? Line = null)
{
    public override string ToString() => Line is { } line ? $"{Path}: {Message} (line {line})" : $"{Path}: {Message}";
}

public sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : Exception($"invalid configuration:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
