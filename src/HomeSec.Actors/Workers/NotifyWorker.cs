using Akka.Actor;
using HomeSec.Core.Results;
using static HomeSec.Actors.Workers.WorkerProtocol;

namespace HomeSec.Actors.Workers;

/// <summary>
/// Fans an alert out to the notifiers it names, in parallel. Each notifier's failure is its own value;
/// the others still deliver.
/// </summary>
public sealed class NotifyWorker(IReadOnlyList<NamedNotifier> notifiers, TimeSpan timeout, int parallelism)
    : StageWorker<SendAlert, IReadOnlyList<StageResult<string>>>(timeout, parallelism)
{
    public static Props Props(IReadOnlyList<NamedNotifier> notifiers, TimeSpan timeout, int parallelism) =>
        Akka.Actor.Props.Create(() => new NotifyWorker(notifiers, timeout, parallelism));

    protected override Stage Stage => Stage.Notify;

    protected override (HomeSec.Core.Clips.ClipId ClipId, Stage Stage, int Attempt) KeyOf(SendAlert job) => (job.Alert.ClipId, Stage.Notify, job.Attempt);

    protected override IEnumerable<StageError> ErrorsIn(object reply, SendAlert job) =>
        reply is NotifyResult result ? result.Outcomes.OfType<StageResult<string>.Failure>().Select(f => f.Error) : [];

    protected override async Task<IReadOnlyList<StageResult<string>>> ExecuteAsync(SendAlert job, CancellationToken cancellationToken)
    {
        var sends = notifiers
            .Where(n => job.Notifiers.Contains(n.Name))
            .Select(n => SendOneAsync(n, job, cancellationToken));
        return await Task.WhenAll(sends);
    }

    protected override StageError ToError(SendAlert job, Exception exception) => new NotifyError(job.Alert.ClipId, "notify", exception);

    protected override object ToReply(SendAlert job, StageResult<IReadOnlyList<StageResult<string>>> result) => result switch
    {
        StageResult<IReadOnlyList<StageResult<string>>>.Success success => new NotifyResult(job.Alert.ClipId, job.Attempt, success.Value),
        StageResult<IReadOnlyList<StageResult<string>>>.Failure failure => new NotifyResult(job.Alert.ClipId, job.Attempt,
            job.Notifiers.Select(name => StageResult<string>.Fail(new NotifyError(job.Alert.ClipId, name, failure.Error.Exception))).ToList()),
        _ => throw new InvalidOperationException($"unexpected result {result}"),
    };

    private async Task<StageResult<string>> SendOneAsync(NamedNotifier notifier, SendAlert job, CancellationToken cancellationToken)
    {
        var result = await TrySendOneAsync(notifier, job, cancellationToken);
        Metrics.NotificationFinished(notifier.Name, delivered: result is StageResult<string>.Success);
        return result;
    }

    private static async Task<StageResult<string>> TrySendOneAsync(NamedNotifier notifier, SendAlert job, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(notifier.Timeout);
        try
        {
            await Task.Run(() => notifier.Notifier.SendAsync(job.Alert, timeout.Token), timeout.Token).WaitAsync(timeout.Token);
            return StageResult<string>.Ok(notifier.Name);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return StageResult<string>.Fail(new NotifyError(job.Alert.ClipId, notifier.Name,
                new TimeoutException($"notifier '{notifier.Name}' timed out after {notifier.Timeout.TotalSeconds:0.#} s", ex)));
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return StageResult<string>.Fail(new NotifyError(job.Alert.ClipId, notifier.Name, ex));
        }
    }
}

/// <summary>A configured notifier: its unique name (used for per-notifier dedupe) and the plugin.</summary>
public sealed record NamedNotifier(string Name, HomeSec.Core.Plugins.INotifier Notifier, TimeSpan Timeout)
{
    /// <summary>The plugin's connection state, when it keeps one (mqtt); null when it cannot tell.</summary>
    public HomeSec.Core.Plugins.INotifierConnection? Connection { get; init; }
}
