using HomeSec.Core.Alerts;

namespace HomeSec.Core.Plugins;

/// <summary>Delivers an alert to people (MQTT, email, a log, …). Throws when delivery failed.</summary>
public interface INotifier
{
    Task SendAsync(Alert alert, CancellationToken cancellationToken);
}

/// <summary>A notifier that keeps a connection (mqtt) and can say whether it is up, for <c>/health</c> and <c>homesec_notifier_connected</c>.</summary>
public interface INotifierConnection
{
    bool IsConnected { get; }

    /// <summary>Why the last connection attempt failed (never a secret); null when none failed.</summary>
    string? LastError { get; }
}
