using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;

namespace HomeSec.Core.Plugins;

/// <summary>An object detector that looks at a clip's frames.</summary>
public interface IObjectFilter
{
    Task<FilterResult> DetectAsync(RecordedClip clip, CancellationToken cancellationToken);
}

/// <summary>Options of a filter whose model knows a fixed set of class names, so the config can check <c>filter.trigger_classes</c> against them.</summary>
public interface IClassNamesOptions
{
    /// <summary>Null when the model could not be read (that error is already reported).</summary>
    IReadOnlyList<string>? ClassNames { get; }
}
