using HomeSec.Core.Alerts;
using HomeSec.Core.Config;

namespace HomeSec.Core.Plugins.AlertPolicies.Default;

/// <param name="MinRiskLevel">An analysed clip at or above this risk alerts.</param>
/// <param name="NotifyOnActivityTypes">An analysed clip with one of these activities alerts whatever its risk.</param>
/// <param name="NotifyOnMotion">A clip with no analysis and no trigger class seen (plain motion, or the filter failed) alerts.</param>
public sealed record DefaultAlertPolicyOptions(
    RiskLevel MinRiskLevel,
    IReadOnlyList<string> NotifyOnActivityTypes,
    bool NotifyOnMotion)
{
    public static DefaultAlertPolicyOptions Read(ConfigSection config)
    {
        var overrides = ReadOverrides(config);
        return new DefaultAlertPolicyOptions(
            overrides.MinRiskLevel ?? RiskLevel.Medium,
            overrides.NotifyOnActivityTypes ?? [],
            overrides.NotifyOnMotion ?? false);
    }

    /// <summary>The same keys, each optional: also the shape of <c>per_camera_alert.{camera}</c>.</summary>
    public static AlertOverrides ReadOverrides(ConfigSection config)
    {
        RiskLevel? minRisk = null;
        if (config.String("min_risk_level") is { } riskText)
        {
            if (RiskLevels.TryParse(riskText, out var parsed))
            {
                minRisk = parsed;
            }
            else
            {
                config.Error("min_risk_level", $"'{riskText}' is not a risk level; allowed: {RiskLevels.Allowed}");
            }
        }

        IReadOnlyList<string>? activities = null;
        if (config.Has("notify_on_activity_types"))
        {
            activities = config.StringList("notify_on_activity_types", []);
            foreach (var unknown in activities.Where(a => !config.ActivityTypes.Contains(a)))
            {
                config.Error("notify_on_activity_types",
                    $"'{unknown}' is not an activity type; allowed: {config.ActivityTypes.Allowed} (add your own under vlm.extra_activity_types)");
            }
        }

        bool? notifyOnMotion = config.Has("notify_on_motion") ? config.Bool("notify_on_motion", false) : null;
        return new AlertOverrides(minRisk, activities, notifyOnMotion);
    }
}

/// <summary>One camera's overrides of the default policy's rules (<c>per_camera_alert.{camera}</c>); null keeps the global value.</summary>
public sealed record AlertOverrides(
    RiskLevel? MinRiskLevel,
    IReadOnlyList<string>? NotifyOnActivityTypes,
    bool? NotifyOnMotion);
