using HomeSec.Core.Clips;

namespace HomeSec.Actors.Repository;

/// <summary>
/// Messages of the <see cref="ClipRepository"/>. Clip events themselves (<see cref="IClipEvent"/>) are
/// sent as they are, fire-and-forget: the pipeline never waits for the journal.
/// </summary>
public static class RepositoryProtocol
{
    /// <summary>Asks for what the journal knows of a clip; answered with <see cref="ClipHistory"/>.</summary>
    public sealed record LoadClipHistory(ClipId ClipId);

    /// <param name="State">The clip folded from its journal; null when the journal could not be read.</param>
    public sealed record ClipHistory(ClipId ClipId, ClipState? State);

    /// <summary>
    /// Asks to hear <see cref="ClipDurable"/> once every event of the clip received so far is durable: confirmed
    /// by the journal, or written to the local spool and fsync'd. <see cref="ClipNotDurable"/> when one was dropped.
    /// Durability contract: a clip is marked done at its source only after this answer.
    /// </summary>
    public sealed record AwaitClipDurable(ClipId ClipId);

    public sealed record ClipDurable(ClipId ClipId);

    public sealed record ClipNotDurable(ClipId ClipId, string Reason);

    public sealed record GetStoreHealth
    {
        public static GetStoreHealth Instance { get; } = new();
    }

    /// <param name="Mode">online (writing to the journal), offline (database unreachable: spooling) or draining (writing the spool).</param>
    /// <param name="Spooled">Events waiting on local disk.</param>
    /// <param name="Dropped">Events lost because the spool was full (since start).</param>
    public sealed record StoreHealth(string Mode, int Spooled, long Dropped, string? LastError);

    /// <summary>From the writer: the oldest unconfirmed event of the clip is in the journal.</summary>
    internal sealed record EventStored(ClipId ClipId);

    /// <summary>From the writer: the oldest unconfirmed event of the clip could not be written.</summary>
    internal sealed record EventNotStored(IClipEvent Event, Exception Cause);
}
