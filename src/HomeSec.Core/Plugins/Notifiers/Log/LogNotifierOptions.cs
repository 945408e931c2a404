using HomeSec.Core.Config;

namespace HomeSec.Core.Plugins.Notifiers.Log;

/// <param name="Path">A JSON-lines file that gets one line per alert; null for the log line only.</param>
public sealed record LogNotifierOptions(string? Path)
{
    public static LogNotifierOptions Read(ConfigSection config) =>
        new(config.String("path") is { } path ? System.IO.Path.GetFullPath(path) : null);
}
