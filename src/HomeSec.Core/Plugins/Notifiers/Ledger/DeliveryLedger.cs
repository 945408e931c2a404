using HomeSec.Core.Clips;

namespace HomeSec.Core.Plugins.Notifiers.Ledger;

/// <summary>
/// The clips one notifier has delivered, on local disk (one clip id per line), written right after a
/// successful send, so a resumed clip whose notification_sent was not yet durable does not send again.
/// It narrows the crash window, it does not close it: a crash between the send and this line repeats
/// the alert (with the same dedupe_key) — delivery is at least once. Keeps the most recent <c>capacity</c> ids.
/// </summary>
public sealed class DeliveryLedger : IDisposable
{
    private readonly string _path;
    private readonly int _capacity;
    private readonly HashSet<string> _delivered = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly SemaphoreSlim _lock = new(1, 1);
    private StreamWriter? _writer;

    public DeliveryLedger(string path, int capacity = 100_000)
    {
        _path = path;
        _capacity = capacity;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path).Where(l => l.Length > 0))
            {
                Remember(line);
            }

            Compact();
        }
    }

    public async Task<bool> WasDeliveredAsync(ClipId clipId, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            return _delivered.Contains(clipId.Value);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task RecordAsync(ClipId clipId, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (!Remember(clipId.Value))
            {
                return;
            }

            _writer ??= new StreamWriter(new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read));
            await _writer.WriteLineAsync(clipId.Value);
            await _writer.FlushAsync(cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _lock.Dispose();
    }

    private bool Remember(string clipId)
    {
        if (!_delivered.Add(clipId))
        {
            return false;
        }

        _order.Enqueue(clipId);
        while (_order.Count > _capacity)
        {
            _delivered.Remove(_order.Dequeue());
        }

        return true;
    }

    private void Compact()
    {
        var temp = _path + ".tmp";
        File.WriteAllLines(temp, _order);
        File.Move(temp, _path, overwrite: true);
    }
}

/// <summary>
/// Skips a clip's final alert that the ledger says this notifier delivered already (see <see cref="DeliveryLedger"/>).
/// The fast alert (phase detected) is sent once and never retried, so it passes without the ledger: the ledger keeps
/// the final alert's "delivered at most once".
/// </summary>
public sealed class DeduplicatingNotifier(INotifier inner, DeliveryLedger ledger) : INotifier, IAsyncDisposable
{
    public async Task SendAsync(Alerts.Alert alert, CancellationToken cancellationToken)
    {
        if (alert.Phase == Alerts.AlertPhases.Detected)
        {
            await inner.SendAsync(alert, cancellationToken);
            return;
        }

        if (await ledger.WasDeliveredAsync(alert.ClipId, cancellationToken))
        {
            return;
        }

        await inner.SendAsync(alert, cancellationToken);
        await ledger.RecordAsync(alert.ClipId, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        switch (inner)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        ledger.Dispose();
    }
}
