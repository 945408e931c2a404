using HomeSec.Core.Alerts;

namespace HomeSec.Core.Plugins;

/// <summary>Delivers an alert to people (MQTT, email, a log, …). Throws when delivery failed.</summary>
public interface INotifier
{
    Task SendAsync(Alert alert, CancellationToken cancellationToken);
}
