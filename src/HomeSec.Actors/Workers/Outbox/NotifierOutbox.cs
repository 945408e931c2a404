using Akka.Actor;
using Akka.Event;
using HomeSec.Actors.Metrics;
using HomeSec.Core.Alerts;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Results;
using static HomeSec.Actors.Workers.Outbox.OutboxProtocol;
using static HomeSec.Core.Clips.ClipEvents;

namespace HomeSec.Actors.Workers.Outbox;

/// <summary>
/// <c>workers/outbox-{notifier}</c>: keeps the alerts one notifier could not deliver in its on-disk
/// <see cref="AlertOutbox"/> and delivers them, oldest first and one at a time, once the notifier works
/// again: a failed delivery waits with exponential backoff, a delivered one is recorded as
/// notification_sent for its clip. Runs on the worker dispatcher, because the outbox does small file I/O.
/// </summary>
public sealed class NotifierOutbox : ReceiveActor, IWithTimers
{
    private const string DrainTimerKey = "drain";

    private readonly NamedNotifier _notifier;
    private readonly OutboxConfig _settings;
    private readonly IActorRef _repository;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HomeSecMetrics _metrics = HomeSecMetrics.Of(Context.System);
    private readonly CancellationTokenSource _stopping = new();
    private AlertOutbox _outbox = null!;
    private bool _sending;
    private int _failures;

    public NotifierOutbox(NamedNotifier notifier, OutboxConfig settings, IActorRef repository, TimeProvider clock)
    {
        _notifier = notifier;
        _settings = settings;
        _repository = repository;
        _clock = clock;
        Receive<QueueAlert>(HandleQueue);
        Receive<Drain>(_ => StartNextDelivery());
        Receive<DeliveryFinished>(HandleDeliveryFinished);
        Receive<GetOutboxStatus>(_ => Sender.Tell(new OutboxStatus(_notifier.Name, _outbox.Count, _outbox.DroppedTotal)
        {
            Connected = _notifier.Connection?.IsConnected,
            ConnectionError = _notifier.Connection?.LastError,
        }));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static string ActorName(string notifier) => $"outbox-{notifier}";

    public static Props Props(NamedNotifier notifier, OutboxConfig settings, IActorRef repository, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new NotifierOutbox(notifier, settings, repository, clock));

    protected override void PreStart()
    {
        _outbox = new AlertOutbox(Path.Combine(_settings.Dir, _notifier.Name), _settings.MaxItems);
        if (_outbox.Unreadable > 0)
        {
            _log.Error("Outbox of notifier {0}: {1} unreadable alert file(s) set aside as *.bad", _notifier.Name, _outbox.Unreadable);
        }

        if (_outbox.Count > 0)
        {
            _log.Info("Outbox of notifier {0}: {1} alert(s) waiting from before the restart", _notifier.Name, _outbox.Count);
            Self.Tell(Drain.Instance);
        }
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    private void HandleQueue(QueueAlert queue)
    {
        var result = _outbox.Add(queue.Alert);
        switch (result.Outcome)
        {
            case AlertOutbox.AddOutcome.Added:
                _log.Warning("Notifier {0} is down: alert of clip {1} waits in its outbox ({2} waiting)", _notifier.Name, queue.Alert.ClipId, _outbox.Count);
                break;
            case AlertOutbox.AddOutcome.AlreadyDelivered:
                _log.Info("Alert of clip {0} was already delivered by {1}; not queued again", queue.Alert.ClipId, _notifier.Name);
                return;
            case AlertOutbox.AddOutcome.AlreadyQueued:
                return;
        }

        if (result.Dropped.Count > 0)
        {
            _log.Error("Outbox of notifier {0} is full ({1} alerts): dropped the {2} oldest ({3}); {4} dropped since start",
                _notifier.Name, _settings.MaxItems, result.Dropped.Count, string.Join(", ", result.Dropped.Select(a => a.ClipId)), _outbox.DroppedTotal);
        }

        // The notifier has just failed for this alert: try again after the backoff, not at once.
        if (!_sending && !Timers.IsTimerActive(DrainTimerKey))
        {
            _failures = Math.Max(_failures, 1);
            Timers.StartSingleTimer(DrainTimerKey, Drain.Instance, _settings.DelayAfter(_failures));
        }
    }

    private void StartNextDelivery()
    {
        if (_sending || _outbox.Oldest is not { } alert)
        {
            return;
        }

        _sending = true;
        DeliverAsync(alert, _stopping.Token).PipeTo(Self);
    }

    private void HandleDeliveryFinished(DeliveryFinished finished)
    {
        _sending = false;
        var alert = finished.Alert;
        _metrics.NotificationFinished(_notifier.Name, delivered: finished.Error is null);
        switch (finished.Error)
        {
            case null:
                _outbox.MarkDelivered(alert.ClipId);
                _repository.Tell(new NotificationSent(alert.ClipId, _clock.GetUtcNow(), _notifier.Name));
                _log.Info("Outbox of notifier {0}: delivered the alert of clip {1} ({2} waiting)", _notifier.Name, alert.ClipId, _outbox.Count);
                _failures = 0;
                Self.Tell(Drain.Instance);
                break;
            case DeliveryRejectedException rejected:
                _outbox.Remove(alert.ClipId);
                var error = new NotifyError(alert.ClipId, _notifier.Name, rejected);
                _repository.Tell(new NotificationFailed(alert.ClipId, _clock.GetUtcNow(), _notifier.Name, 0, error.Describe(), WillRetry: false));
                _log.Error("Outbox of notifier {0}: the alert of clip {1} was rejected and is dropped: {2}", _notifier.Name, alert.ClipId, rejected.Message);
                Self.Tell(Drain.Instance);
                break;
            case var failure:
                _failures++;
                var delay = _settings.DelayAfter(_failures);
                if (failure is DeliveryDeferredException { RetryAfter: { } asked } && asked > delay)
                {
                    // The receiver said when it will take alerts again (429 Retry-After): not sooner, up to max_backoff_s.
                    delay = asked < _settings.MaxBackoff ? asked : TimeSpan.FromTicks(Math.Max(_settings.MaxBackoff.Ticks, delay.Ticks));
                }

                _log.Warning("Outbox of notifier {0}: still failing ({1}); {2} alert(s) waiting, next attempt in {3:0.#} s",
                    _notifier.Name, failure.Message, _outbox.Count, delay.TotalSeconds);
                Timers.StartSingleTimer(DrainTimerKey, Drain.Instance, delay);
                break;
        }
    }

    private async Task<DeliveryFinished> DeliverAsync(Alert alert, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_notifier.Timeout);
        try
        {
            await Task.Run(() => _notifier.Notifier.SendAsync(alert, timeout.Token), timeout.Token).WaitAsync(timeout.Token);
            return new DeliveryFinished(alert, null);
        }
        catch (OperationCanceledException ex) when (!stopping.IsCancellationRequested)
        {
            return new DeliveryFinished(alert, new TimeoutException($"timed out after {_notifier.Timeout.TotalSeconds:0.#} s", ex));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new DeliveryFinished(alert, ex);
        }
    }

    private sealed record Drain
    {
        public static Drain Instance { get; } = new();
    }

    private sealed record DeliveryFinished(Alert Alert, Exception? Error);
}
