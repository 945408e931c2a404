using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;

namespace HomeSec.Core.Plugins;

/// <summary>An object detector that looks at a clip's frames.</summary>
public interface IObjectFilter
{
    Task<FilterResult> DetectAsync(RecordedClip clip, CancellationToken cancellationToken);
}
