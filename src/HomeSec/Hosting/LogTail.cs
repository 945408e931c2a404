using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace HomeSec.Hosting;

/// <summary>One line of the daemon's log as <c>/api/logs</c> gives it.</summary>
/// <param name="Sequence">Counts up from 1 at start: a reader that reconnects asks for what came after the last one it saw.</param>
public sealed record LogLine(long Sequence, DateTimeOffset At, string Level, string Category, string Message);

/// <summary>
/// The daemon's recent log lines in memory (the last <see cref="Capacity"/>) and a feed of new ones, for <c>homesec logs
/// -f</c> and <c>/api/logs</c>: a logging provider beside the console one, under the same filters. Logging never waits
/// for a reader: a reader that falls behind loses the oldest lines of its own feed, and is told how many.
/// </summary>
public sealed class LogTail : ILoggerProvider
{
    public const int Capacity = 2000;

    private const int FeedCapacity = 1000;

    private readonly Lock _gate = new();
    private readonly LinkedList<LogLine> _recent = new();
    private readonly Web.Live.Subscribers<LogLine> _readers = new(FeedCapacity);
    private long _sequence;

    public ILogger CreateLogger(string categoryName) => new TailLogger(this, categoryName);

    /// <summary>The kept lines after <paramref name="after"/>, at <paramref name="minimum"/> or above, the last <paramref name="count"/> of them.</summary>
    public IReadOnlyList<LogLine> Recent(int count, LogLevel minimum, long after = 0)
    {
        lock (_gate)
        {
            return _recent.Where(l => l.Sequence > after && LevelOf(l.Level) >= minimum).TakeLast(Math.Max(0, count)).ToList();
        }
    }

    /// <summary>The lines logged from now on, until <paramref name="cancellationToken"/> ends the reading.</summary>
    public ChannelReader<LogLine> Subscribe(CancellationToken cancellationToken) => _readers.Subscribe(cancellationToken);

    public void Dispose() => _readers.CompleteAll();

    /// <summary>The wire name of a level (<c>info</c>, <c>warning</c>, …), as the lines carry it and <c>--level</c> takes it.</summary>
    public static string NameOf(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        _ => "none",
    };

    public static bool TryParseLevel(string? text, out LogLevel level)
    {
        foreach (var candidate in new[] { LogLevel.Trace, LogLevel.Debug, LogLevel.Information, LogLevel.Warning, LogLevel.Error, LogLevel.Critical })
        {
            if (string.Equals(text, NameOf(candidate), StringComparison.OrdinalIgnoreCase))
            {
                level = candidate;
                return true;
            }
        }

        level = LogLevel.None;
        return false;
    }

    private static LogLevel LevelOf(string name) => TryParseLevel(name, out var level) ? level : LogLevel.None;

    private void Append(LogLevel level, string category, string message)
    {
        lock (_gate)
        {
            var line = new LogLine(++_sequence, DateTimeOffset.UtcNow, NameOf(level), category, message);
            _recent.AddLast(line);
            if (_recent.Count > Capacity)
            {
                _recent.RemoveFirst();
            }

            _readers.Publish(line); // inside the lock: readers get lines in sequence order
        }
    }

    private sealed class TailLogger(LogTail tail, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            if (exception is not null)
            {
                message += $" ({exception.GetType().Name}: {exception.Message})";
            }

            tail.Append(logLevel, category, message);
        }
    }
}
