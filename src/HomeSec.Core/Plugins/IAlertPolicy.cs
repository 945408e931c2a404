using HomeSec.Core.Alerts;

namespace HomeSec.Core.Plugins;

/// <summary>
/// Decides whether a clip alerts. A pure function of its input: no I/O, no clock. A policy with per-camera rules
/// (<c>per_camera_alert.{camera}</c>) gets them at its registration and picks them by <see cref="AlertInput.CameraName"/>.
/// </summary>
public interface IAlertPolicy
{
    AlertDecision Decide(AlertInput input);
}

/// <summary>What the pipeline learned about a clip, for the alert policy.</summary>
/// <param name="Filter">The detector's result; null when the filter failed.</param>
/// <param name="Analysis">The VLM's analysis; null when it was skipped or failed.</param>
/// <param name="NoAnalysisReason">Why there is no analysis (skipped or failed), for the decision's reason.</param>
public sealed record AlertInput(
    string CameraName,
    FilterResult? Filter,
    AnalysisResult? Analysis,
    string? NoAnalysisReason,
    IReadOnlyCollection<string> TriggerClasses);
