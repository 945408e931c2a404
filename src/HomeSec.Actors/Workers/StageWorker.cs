using Akka.Actor;
using HomeSec.Core.Results;

namespace HomeSec.Actors.Workers;

/// <summary>
/// The shape of every stage worker: one job at a time (so a pool of N bounds the stage's
/// concurrency at N), the plugin call off the actor thread with a timeout, and a reply that is a
/// value: success, or a stage error keeping the original exception. Jobs arriving while busy wait in the stash.
/// </summary>
public abstract class StageWorker<TJob, TValue> : ReceiveActor, IWithStash
    where TJob : class
{
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _stopping = new();

    protected StageWorker(TimeSpan timeout)
    {
        _timeout = timeout;
        Become(Idle);
    }

    public IStash Stash { get; set; } = null!;

    /// <summary>Calls the plugin. Throwing is fine: the exception becomes the stage error.</summary>
    protected abstract Task<TValue> ExecuteAsync(TJob job, CancellationToken cancellationToken);

    protected abstract StageError ToError(TJob job, Exception exception);

    protected abstract object ToReply(TJob job, StageResult<TValue> result);

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    private void Idle()
    {
        Receive<TJob>(job =>
        {
            var replyTo = Sender;
            RunAsync(job, _stopping.Token).PipeTo(Self,
                success: reply => new JobFinished(reply, replyTo),
                failure: ex => new JobFinished(ToReply(job, StageResult<TValue>.Fail(ToError(job, ex))), replyTo));
            Become(Busy);
        });
    }

    private void Busy()
    {
        Receive<JobFinished>(finished =>
        {
            finished.ReplyTo.Tell(finished.Reply);
            Stash.UnstashAll();
            Become(Idle);
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private async Task<object> RunAsync(TJob job, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_timeout);
        try
        {
            var value = await Task.Run(() => ExecuteAsync(job, timeout.Token), timeout.Token).WaitAsync(timeout.Token);
            return ToReply(job, StageResult<TValue>.Ok(value));
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            return ToReply(job, StageResult<TValue>.Fail(ToError(job, new TimeoutException($"timed out after {_timeout.TotalSeconds:0.#} s", ex))));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ToReply(job, StageResult<TValue>.Fail(ToError(job, ex)));
        }
    }

    private sealed record JobFinished(object Reply, IActorRef ReplyTo);
}
