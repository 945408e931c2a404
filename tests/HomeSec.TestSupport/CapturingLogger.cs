using Microsoft.Extensions.Logging;

namespace HomeSec.TestSupport;

/// <summary>Keeps every log line with its exception text, to check what was (and was not) logged.</summary>
public sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly List<(LogLevel Level, string Text)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Text)> Entries
    {
        get
        {
            lock (_entries)
            {
                return _entries.ToList();
            }
        }
    }

    public string AllText => string.Join(Environment.NewLine, Entries.Select(e => $"{e.Level}: {e.Text}"));

    public int Count(Func<string, bool> predicate) => Entries.Count(e => predicate(e.Text));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((logLevel, formatter(state, exception) + (exception is null ? "" : Environment.NewLine + exception)));
        }
    }
}
