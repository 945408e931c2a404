using System.Text;
using System.Text.Json;
using HomeSec.Core.Alerts;
using Microsoft.Extensions.Logging;

namespace HomeSec.Core.Plugins.Notifiers.Log;

/// <summary>Writes each alert as one structured log line and, when a path is set, one JSON line in a file.</summary>
public sealed class LogNotifier(LogNotifierOptions options, ILogger<LogNotifier> logger) : INotifier, IDisposable
{
    private readonly SemaphoreSlim _fileLock = new(1, 1);

    public async Task SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        // The summary comes from a model and the reason may quote it: quoted and escaped, so one alert stays one line.
        logger.LogInformation(
            "ALERT camera={Camera} clip={ClipId} risk={Risk} activity={Activity} reason={Reason} summary={Summary} view_url={ViewUrl} upload_failed={UploadFailed}",
            alert.CameraName, alert.ClipId, alert.RiskLevel?.ToWireName() ?? "unknown", alert.ActivityType ?? "unknown",
            OneLine.Quoted(alert.NotifyReason), alert.Summary is { } summary ? OneLine.Quoted(summary) : "-", alert.ViewUrl ?? "-", alert.UploadFailed);

        if (options.Path is not { } path)
        {
            return;
        }

        var line = JsonSerializer.Serialize(alert) + "\n";
        await _fileLock.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            await File.AppendAllTextAsync(path, line, new UTF8Encoding(false), cancellationToken);
        }
        finally
        {
            _fileLock.Release();
        }
    }

    public void Dispose() => _fileLock.Dispose();
}
