using System.Diagnostics;
using Akka.Actor;
using HomeSec.Actors.Metrics;
using HomeSec.Core.Clips;
using HomeSec.Core.Results;
using static HomeSec.Actors.Workers.WorkerProtocol;

namespace HomeSec.Actors.Workers;

/// <summary>
/// The shape of every stage (<c>workers/upload</c>, <c>filter</c>, <c>vlm</c>, <c>notify</c>): one actor that runs
/// up to <c>parallelism</c> jobs at once, the plugin call off the actor thread with a timeout, and a reply that is
/// a value: success, or a stage error keeping the original exception. Jobs beyond the bound wait in one queue,
/// in arrival order, and start as soon as any job ends — no job waits behind a slow one while capacity is free
/// (what a round-robin pool with a stash per worker did). The clip hears when its job is queued and when it
/// starts, so its deadline measures the run, not the wait. The stage's health comes from this one actor.
/// </summary>
public abstract class StageWorker<TJob, TValue> : ReceiveActor
    where TJob : class
{
    private readonly TimeSpan _timeout;
    private readonly int _parallelism;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Queue<(TJob Job, IActorRef ReplyTo)> _queued = new();
    private int _running;
    private long _succeeded;
    private long _failed;
    private int _consecutiveFailures;
    private StageError? _lastError;
    private DateTimeOffset? _lastSuccessAt;

    protected StageWorker(TimeSpan timeout, int parallelism)
    {
        _timeout = timeout;
        _parallelism = Math.Max(1, parallelism);
        Receive<TJob>(job =>
        {
            if (_running < _parallelism)
            {
                Run(job, Sender);
            }
            else
            {
                var (clipId, stage, attempt) = KeyOf(job);
                Sender.Tell(new StageJobQueued(clipId, stage, attempt));
                _queued.Enqueue((job, Sender));
            }
        });
        Receive<JobFinished>(OnJobFinished);
        Receive<GetStageHealth>(_ => Sender.Tell(new StageHealth(Stage, _running, _queued.Count, _parallelism, _succeeded, _failed,
            _consecutiveFailures, _lastError is null ? null : StageFailureKinds.Classify(_lastError.Exception), _lastError?.Message, _lastSuccessAt)));
    }

    protected abstract Stage Stage { get; }

    /// <summary>Where the stage records what it did (run times; the notify stage also each delivery).</summary>
    protected HomeSecMetrics Metrics { get; } = HomeSecMetrics.Of(Context.System);

    /// <summary>Calls the plugin. Throwing is fine: the exception becomes the stage error.</summary>
    protected abstract Task<TValue> ExecuteAsync(TJob job, CancellationToken cancellationToken);

    protected abstract StageError ToError(TJob job, Exception exception);

    protected abstract object ToReply(TJob job, StageResult<TValue> result);

    /// <summary>Whose job it is, for the queued/started notes to the clip.</summary>
    protected abstract (ClipId ClipId, Stage Stage, int Attempt) KeyOf(TJob job);

    /// <summary>The errors in a reply, for the stage's health (a fan-out reply may carry several).</summary>
    protected virtual IEnumerable<StageError> ErrorsIn(object reply, TJob job) => [];

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    private void Run(TJob job, IActorRef replyTo)
    {
        _running++;
        var (clipId, stage, attempt) = KeyOf(job);
        replyTo.Tell(new StageJobStarted(clipId, stage, attempt));
        var started = Stopwatch.GetTimestamp();
        RunAsync(job, _stopping.Token).PipeTo(Self,
            success: outcome => new JobFinished(job, outcome.Reply, outcome.Error, replyTo, started),
            failure: ex =>
            {
                var error = ToError(job, ex);
                return new JobFinished(job, ToReply(job, StageResult<TValue>.Fail(error)), error, replyTo, started);
            });
    }

    private void OnJobFinished(JobFinished finished)
    {
        _running--;
        Metrics.StageFinished(Stage, Stopwatch.GetElapsedTime(finished.StartedAt));
        var error = finished.Error ?? ErrorsIn(finished.Reply, (TJob)finished.Job).FirstOrDefault();
        if (error is null)
        {
            _succeeded++;
            _consecutiveFailures = 0;
            _lastError = null;
            _lastSuccessAt = DateTimeOffset.UtcNow;
        }
        else
        {
            _failed++;
            _consecutiveFailures++;
            _lastError = error;
        }

        finished.ReplyTo.Tell(finished.Reply);
        while (_running < _parallelism && _queued.TryDequeue(out var next))
        {
            Run(next.Job, next.ReplyTo);
        }
    }

    private async Task<Outcome> RunAsync(TJob job, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_timeout);
        StageError error;
        try
        {
            var value = await Task.Run(() => ExecuteAsync(job, timeout.Token), timeout.Token).WaitAsync(timeout.Token);
            return new Outcome(ToReply(job, StageResult<TValue>.Ok(value)), null);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            error = ToError(job, new TimeoutException($"timed out after {_timeout.TotalSeconds:0.#} s", ex));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            error = ToError(job, ex);
        }

        return new Outcome(ToReply(job, StageResult<TValue>.Fail(error)), error);
    }

    private sealed record Outcome(object Reply, StageError? Error);

    /// <param name="StartedAt">A <see cref="Stopwatch"/> timestamp: when the job left the queue and began to run.</param>
    private sealed record JobFinished(object Job, object Reply, StageError? Error, IActorRef ReplyTo, long StartedAt);
}
