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

    /// <summary>Sent by a clip journal that has been idle, so the repository stops it safely.</summary>
    internal sealed record Passivate(ClipId ClipId);

    /// <summary>Sent by the repository to a clip journal: stop once pending writes are done.</summary>
    internal sealed record StopJournal
    {
        public static StopJournal Instance { get; } = new();
    }
}
