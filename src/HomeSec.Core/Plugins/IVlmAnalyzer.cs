using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;

namespace HomeSec.Core.Plugins;

/// <summary>A vision-language model that describes a clip and rates its risk.</summary>
public interface IVlmAnalyzer
{
    Task<AnalysisResult> AnalyzeAsync(RecordedClip clip, FilterResult filter, CancellationToken cancellationToken);
}
