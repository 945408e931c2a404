using HomeSec.Core.Alerts;

namespace HomeSec.Actors.Workers.Outbox;

/// <summary>Messages of a <see cref="NotifierOutbox"/>.</summary>
public static class OutboxProtocol
{
    /// <summary>From a clip supervisor that gave up on the notifier: keep the alert until the notifier is back.</summary>
    public sealed record QueueAlert(Alert Alert);

    /// <summary>Asks how many alerts wait; answered with <see cref="OutboxStatus"/>.</summary>
    public sealed record GetOutboxStatus
    {
        public static GetOutboxStatus Instance { get; } = new();
    }

    public sealed record OutboxStatus(string Notifier, int Waiting, long Dropped)
    {
        /// <summary>Whether the notifier is connected to its server; null when it cannot tell (see <c>INotifierConnection</c>).</summary>
        public bool? Connected { get; init; }

        public string? ConnectionError { get; init; }
    }

    /// <summary>Asks the root for every notifier's outbox; answered with <see cref="NotifierOutboxes"/>.</summary>
    public sealed record GetNotifierOutboxes
    {
        public static GetNotifierOutboxes Instance { get; } = new();
    }

    public sealed record NotifierOutboxes(IReadOnlyDictionary<string, Akka.Actor.IActorRef> Outboxes);
}
