using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;

namespace HomeSec.Core.Plugins.Filters.None;

/// <summary>
/// The "no detector" setting: every clip counts as motion and no object class is reported,
/// so the VLM is skipped and the alert policy's notify_on_motion decides.
/// </summary>
public sealed class NoFilter : IObjectFilter
{
    public Task<FilterResult> DetectAsync(RecordedClip clip, CancellationToken cancellationToken) =>
        Task.FromResult(FilterResult.NoDetector);
}

public sealed record NoOptions
{
    public static NoOptions Instance { get; } = new();

    public static NoOptions Read(Config.ConfigSection config) => Instance;
}
