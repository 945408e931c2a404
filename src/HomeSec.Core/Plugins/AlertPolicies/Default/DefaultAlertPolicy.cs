using HomeSec.Core.Alerts;

namespace HomeSec.Core.Plugins.AlertPolicies.Default;

/// <summary>
/// The rules, in order:
/// 1. With an analysis: alert when risk ≥ min_risk_level, or when the activity is in notify_on_activity_types.
/// 2. Without one (VLM skipped, failed or disabled), when the detector saw a trigger class: alert (filter-only policy).
/// 3. Otherwise (plain motion, nothing of interest detected, or the filter failed): alert only with notify_on_motion.
/// Per-camera overrides replace the global value of each key they set.
/// </summary>
/// <param name="perCamera">The overrides of <c>per_camera_alert</c> by camera name; a camera without any follows the global rules.</param>
public sealed class DefaultAlertPolicy(DefaultAlertPolicyOptions options, IReadOnlyDictionary<string, AlertOverrides>? perCamera = null) : IAlertPolicy
{
    public AlertDecision Decide(AlertInput input)
    {
        var cameraOverrides = perCamera?.GetValueOrDefault(input.CameraName);
        var minRisk = cameraOverrides?.MinRiskLevel ?? options.MinRiskLevel;
        var activities = cameraOverrides?.NotifyOnActivityTypes ?? options.NotifyOnActivityTypes;
        var notifyOnMotion = cameraOverrides?.NotifyOnMotion ?? options.NotifyOnMotion;

        if (input.Analysis is { } analysis)
        {
            var risk = analysis.RiskLevel.ToWireName();
            if (analysis.RiskLevel >= minRisk)
            {
                return new AlertDecision(true, $"risk {risk} is at or above min_risk_level {minRisk.ToWireName()}");
            }

            return activities.Contains(analysis.ActivityType, StringComparer.Ordinal)
                ? new AlertDecision(true, $"activity '{analysis.ActivityType}' is in notify_on_activity_types")
                : new AlertDecision(false, $"risk {risk} is below min_risk_level {minRisk.ToWireName()} and activity '{analysis.ActivityType}' is not in notify_on_activity_types");
        }

        var why = input.NoAnalysisReason is { } reason ? $" ({reason})" : "";
        if (input.Filter is { } filter && filter.TriggeredBy(input.TriggerClasses) is { Count: > 0 } triggered)
        {
            return new AlertDecision(true, $"{string.Join(", ", triggered)} detected without a VLM analysis{why}");
        }

        var what = input.Filter switch
        {
            null => "the filter failed",
            { MotionOnly: true } => "motion (no detector)",
            _ => "no trigger class detected",
        };
        return notifyOnMotion
            ? new AlertDecision(true, $"{what} and notify_on_motion is on")
            : new AlertDecision(false, $"{what} and notify_on_motion is off");
    }
}
