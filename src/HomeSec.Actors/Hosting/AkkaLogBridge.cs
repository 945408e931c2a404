using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;
using Akka.Hosting;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace HomeSec.Actors.Hosting;

/// <summary>
/// Akka's log events into Microsoft.Extensions.Logging, one plain line each: the category is the class that
/// logged (e.g. <c>HomeSec.Actors.Repository.ClipRepository</c>) and the text is the message alone.
/// Akka.Hosting's own bridge writes Akka's rendering of the event (<c>[INFO][time][Thread 0009][path] …</c>)
/// inside the host's line, which already carries level and time, so every Akka line was prefixed twice.
/// The actor path that logged is kept as the scope value <c>ActorPath</c> (shown by consoles that print scopes).
/// </summary>
public sealed class AkkaLogBridge : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ConcurrentDictionary<Type, ILogger> _loggers = new();

    public AkkaLogBridge()
    {
        _loggerFactory = Context.System.Settings.Setup.Get<AkkaLogBridgeSetup>() is { HasValue: true } setup
            ? setup.Value.LoggerFactory
            : throw new ConfigurationException($"{nameof(AkkaLogBridge)} needs an {nameof(AkkaLogBridgeSetup)} in the actor system's setup; use AddMicrosoftLogging.");
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent logEvent:
                Write(logEvent);
                return true;
            default:
                return false;
        }
    }

    private void Write(LogEvent logEvent)
    {
        var logger = _loggers.GetOrAdd(logEvent.LogClass ?? typeof(ActorSystem), type => _loggerFactory.CreateLogger(type.FullName ?? type.Name));
        var level = logEvent.LogLevel() switch
        {
            Akka.Event.LogLevel.DebugLevel => LogLevel.Debug,
            Akka.Event.LogLevel.InfoLevel => LogLevel.Information,
            Akka.Event.LogLevel.WarningLevel => LogLevel.Warning,
            _ => LogLevel.Error,
        };
        if (!logger.IsEnabled(level))
        {
            return;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["ActorPath"] = logEvent.LogSource });
        logger.Log(level, default, Text(logEvent.Message), logEvent.Cause, static (text, _) => text);
    }

    /// <summary>A bad format string in a log call must not lose the line (nor stop the logger).</summary>
    private static string Text(object? message)
    {
        try
        {
            return message?.ToString() ?? "";
        }
        catch (FormatException ex)
        {
            return $"(log message could not be formatted: {ex.Message}) {(message as LogMessage)?.Format}";
        }
    }
}

/// <summary>The logger factory <see cref="AkkaLogBridge"/> writes to.</summary>
public sealed class AkkaLogBridgeSetup(ILoggerFactory loggerFactory) : Setup
{
    public ILoggerFactory LoggerFactory { get; } = loggerFactory;
}

public static class AkkaLogBridgeExtensions
{
    /// <summary>Akka's log events go to <paramref name="loggerFactory"/> through <see cref="AkkaLogBridge"/> only.</summary>
    public static AkkaConfigurationBuilder AddMicrosoftLogging(this AkkaConfigurationBuilder builder, ILoggerFactory loggerFactory) =>
        builder
            .AddSetup(new AkkaLogBridgeSetup(loggerFactory))
            .ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLogger<AkkaLogBridge>();
            });
}
