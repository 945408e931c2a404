using Akka.Actor;
using Akka.Routing;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Actors.Inference;

/// <summary>
/// Answers one status question for the whole inference pool: asks every routee (a broadcast, not one
/// routee picked by the router), sums batches, frames and queues, keeps the slowest last batch, merges the recent runs, and replies to the
/// asker once all answered or the wait is over (with what came). Stops after replying.
/// </summary>
public sealed class InferenceStatusGatherer : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    private readonly IActorRef _replyTo;
    private readonly int _expected;
    private readonly List<InferenceStatus> _answers = [];

    public InferenceStatusGatherer(IActorRef pool, int expected, IActorRef replyTo)
    {
        _replyTo = replyTo;
        _expected = Math.Max(1, expected);
        pool.Tell(new Broadcast(GetInferenceStatus.Instance));
        Receive<InferenceStatus>(status =>
        {
            _answers.Add(status);
            if (_answers.Count >= _expected)
            {
                Reply();
            }
        });
        Receive<PatienceOver>(_ => Reply());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef pool, int expected, IActorRef replyTo) =>
        Akka.Actor.Props.Create(() => new InferenceStatusGatherer(pool, expected, replyTo));

    protected override void PreStart() => Timers.StartSingleTimer(nameof(PatienceOver), PatienceOver.Instance, Patience);

    private void Reply()
    {
        _replyTo.Tell(_answers.Count == 0
            ? InferenceStatus.Disabled
            : _answers[0] with
            {
                Workers = _answers.Count,
                Batches = _answers.Sum(a => a.Batches),
                Frames = _answers.Sum(a => a.Frames),
                LastBatchMs = _answers.Max(a => a.LastBatchMs),
                Queued = _answers.Sum(a => a.Queued),
                Recent = Core.Inference.BatchLatency.Merge(_answers.Select(a => a.Recent)),
            });
        Context.Stop(Self);
    }

    private sealed record PatienceOver
    {
        public static PatienceOver Instance { get; } = new();
    }
}
