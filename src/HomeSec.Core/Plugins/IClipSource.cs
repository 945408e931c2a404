using HomeSec.Core.Clips;

namespace HomeSec.Core.Plugins;

/// <summary>A camera: hands over finished clip files that are already on the local disk.</summary>
public interface IClipSource
{
    /// <summary>
    /// Yields each finished clip once. After a restart it yields again (with <c>Resumed</c>) every clip
    /// it handed over that was never marked processed. Runs until cancelled.
    /// </summary>
    IAsyncEnumerable<RecordedClip> WatchAsync(CancellationToken cancellationToken);

    /// <summary>The pipeline has finished with the clip; it is not handed over again.</summary>
    Task MarkProcessedAsync(ClipId clipId, CancellationToken cancellationToken);

    SourceHealth Health { get; }
}

public sealed record SourceHealth(bool Healthy, DateTimeOffset? LastHeartbeat, string Detail)
{
    /// <summary>Counters a source keeps for <c>/metrics</c> (e.g. <c>ftp_failed_logins</c>), exported as <c>homesec_source_{name}_total{camera}</c>.</summary>
    public IReadOnlyDictionary<string, long> Counters { get; init; } = new Dictionary<string, long>();
}
