using HomeSec.Core.Alerts;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.AlertPolicies.Default;
using Xunit;

namespace HomeSec.Tests.Plugins.AlertPolicies;

public sealed class DefaultAlertPolicySpecs
{
    private static readonly string[] Triggers = ["person", "car"];

    /// <summary>Global rules of every row: min_risk_level high, notify_on_activity_types [delivery, loitering].</summary>
    private static DefaultAlertPolicyOptions Global(bool notifyOnMotion) =>
        new(RiskLevel.High, ["delivery", "loitering"], notifyOnMotion);

    private static AlertInput Analysed(RiskLevel risk, string activity, FilterResult? filter = null) =>
        new("front_door", filter ?? Detected("person"), new AnalysisResult(risk, activity, "someone at the door"), null, Triggers);

    private static AlertInput NotAnalysed(FilterResult? filter, string? reason = "vlm skipped") =>
        new("front_door", filter, null, reason, Triggers);

    private static FilterResult Detected(params string[] classes) => new(classes, 0.9, 10, "yolo");

    private static AlertOverrides Override(RiskLevel? minRisk = null, string[]? activities = null, bool? motion = null) =>
        new(minRisk, activities, motion);

    private sealed record Row(DefaultAlertPolicyOptions Options, AlertInput Input, AlertOverrides? Overrides, bool Notify, string[] ReasonSays);

    private static readonly Dictionary<string, Row> Table = new(StringComparer.Ordinal)
    {
        // With an analysis: risk against min_risk_level, then the activity list.
        ["analysis: risk above min"] = new(Global(false), Analysed(RiskLevel.Critical, "person_passing"), null, true, ["risk critical", "at or above min_risk_level high"]),
        ["analysis: risk at min"] = new(Global(false), Analysed(RiskLevel.High, "person_passing"), null, true, ["risk high", "at or above min_risk_level high"]),
        ["analysis: risk below min, activity listed"] = new(Global(false), Analysed(RiskLevel.Medium, "delivery"), null, true, ["'delivery'", "is in notify_on_activity_types"]),
        ["analysis: risk low, other listed activity"] = new(Global(false), Analysed(RiskLevel.Low, "loitering"), null, true, ["'loitering'"]),
        ["analysis: risk below min, activity not listed"] = new(Global(false), Analysed(RiskLevel.Medium, "person_passing"), null, false, ["risk medium is below min_risk_level high", "'person_passing' is not in"]),
        ["analysis: activity matched by exact name only"] = new(Global(false), Analysed(RiskLevel.Low, "Delivery"), null, false, ["'Delivery' is not in"]),
        ["analysis wins over a trigger class"] = new(Global(false), Analysed(RiskLevel.Low, "person_passing", Detected("person")), null, false, ["below min_risk_level"]),
        ["analysis wins over notify_on_motion"] = new(Global(true), Analysed(RiskLevel.Low, "animal", FilterResult.NoDetector), null, false, ["below min_risk_level"]),

        // Without an analysis: a trigger class alerts; otherwise notify_on_motion decides.
        ["no analysis: trigger class detected"] = new(Global(false), NotAnalysed(Detected("dog", "person"), "vlm failed: timeout"), null, true, ["person detected without a VLM analysis", "(vlm failed: timeout)"]),
        ["no analysis: trigger class in other case"] = new(Global(false), NotAnalysed(Detected("Car")), null, true, ["Car detected"]),
        ["no analysis: trigger class, no reason given"] = new(Global(false), NotAnalysed(Detected("person"), null), null, true, ["person detected without a VLM analysis"]),
        ["no analysis: motion only, notify_on_motion off"] = new(Global(false), NotAnalysed(FilterResult.NoDetector), null, false, ["motion (no detector)", "notify_on_motion is off"]),
        ["no analysis: motion only, notify_on_motion on"] = new(Global(true), NotAnalysed(FilterResult.NoDetector), null, true, ["motion (no detector)", "notify_on_motion is on"]),
        ["no analysis: filter failed, notify_on_motion off"] = new(Global(false), NotAnalysed(null, "filter failed"), null, false, ["the filter failed", "notify_on_motion is off"]),
        ["no analysis: filter failed, notify_on_motion on"] = new(Global(true), NotAnalysed(null, "filter failed"), null, true, ["the filter failed", "notify_on_motion is on"]),
        ["no analysis: only non-trigger classes, notify_on_motion off"] = new(Global(false), NotAnalysed(Detected("dog", "cat")), null, false, ["no trigger class detected", "off"]),
        ["no analysis: only non-trigger classes, notify_on_motion on"] = new(Global(true), NotAnalysed(Detected("dog", "cat")), null, true, ["no trigger class detected", "on"]),
        ["no analysis: nothing detected"] = new(Global(false), NotAnalysed(Detected()), null, false, ["no trigger class detected"]),

        // Per-camera overrides: each key set replaces the global value; keys left null keep it.
        ["override: lower min risk alerts"] = new(Global(false), Analysed(RiskLevel.Low, "person_passing"), Override(minRisk: RiskLevel.Low), true, ["at or above min_risk_level low"]),
        ["override: higher min risk does not alert"] = new(Global(false), Analysed(RiskLevel.High, "person_passing"), Override(minRisk: RiskLevel.Critical), false, ["below min_risk_level critical"]),
        ["override: activity list replaces, new activity alerts"] = new(Global(false), Analysed(RiskLevel.Low, "person_passing"), Override(activities: ["person_passing"]), true, ["'person_passing' is in"]),
        ["override: activity list replaces, global activity no longer alerts"] = new(Global(false), Analysed(RiskLevel.Low, "delivery"), Override(activities: ["person_passing"]), false, ["'delivery' is not in"]),
        ["override: empty activity list"] = new(Global(false), Analysed(RiskLevel.Medium, "delivery"), Override(activities: []), false, ["'delivery' is not in"]),
        ["override: notify_on_motion on over global off"] = new(Global(false), NotAnalysed(FilterResult.NoDetector), Override(motion: true), true, ["notify_on_motion is on"]),
        ["override: notify_on_motion off over global on"] = new(Global(true), NotAnalysed(FilterResult.NoDetector), Override(motion: false), false, ["notify_on_motion is off"]),
        ["override: unset min risk keeps global (below)"] = new(Global(false), Analysed(RiskLevel.Medium, "person_passing"), Override(motion: true), false, ["below min_risk_level high"]),
        ["override: unset min risk keeps global (at)"] = new(Global(false), Analysed(RiskLevel.High, "person_passing"), Override(activities: []), true, ["at or above min_risk_level high"]),
        ["override: unset activities keep global"] = new(Global(false), Analysed(RiskLevel.Low, "delivery"), Override(minRisk: RiskLevel.Critical), true, ["'delivery' is in"]),
        ["override: unset notify_on_motion keeps global off"] = new(Global(false), NotAnalysed(FilterResult.NoDetector), Override(minRisk: RiskLevel.Low), false, ["notify_on_motion is off"]),
        ["override: unset notify_on_motion keeps global on"] = new(Global(true), NotAnalysed(null), Override(minRisk: RiskLevel.Low, activities: []), true, ["the filter failed", "notify_on_motion is on"]),
        ["override: nothing set behaves as global"] = new(Global(false), Analysed(RiskLevel.Medium, "loitering"), Override(), true, ["'loitering' is in"]),
    };

    public static TheoryData<string> Rows => new(Table.Keys);

    [Theory]
    [MemberData(nameof(Rows))]
    public void Should_decide_by_the_rule_table_when_a_clip_is_judged(string row)
    {
        // Given
        var (options, input, overrides, expected, reasonSays) = Table[row];
        var policy = new DefaultAlertPolicy(options, overrides is null ? null : new Dictionary<string, AlertOverrides> { [input.CameraName] = overrides });

        // When
        var decision = policy.Decide(input);

        // Then
        Assert.True(decision.Notify == expected, $"{row}: expected notify={expected}, got {decision}");
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason), row);
        foreach (var words in reasonSays)
        {
            Assert.True(decision.Reason.Contains(words, StringComparison.Ordinal), $"{row}: reason '{decision.Reason}' should contain '{words}'");
        }
    }

    [Fact]
    public void Should_give_different_reasons_when_the_rules_that_decided_differ()
    {
        // Given
        var policy = new DefaultAlertPolicy(Global(true));
        AlertInput[] inputs =
        [
            Analysed(RiskLevel.Critical, "other"),
            Analysed(RiskLevel.Low, "delivery"),
            Analysed(RiskLevel.Low, "other"),
            NotAnalysed(Detected("person")),
            NotAnalysed(FilterResult.NoDetector),
            NotAnalysed(null),
            NotAnalysed(Detected("dog")),
        ];

        // When
        var reasons = inputs.Select(i => policy.Decide(i).Reason).ToList();

        // Then
        Assert.All(reasons, r => Assert.False(string.IsNullOrWhiteSpace(r)));
        Assert.Equal(reasons.Count, reasons.Distinct(StringComparer.Ordinal).Count());
    }
}
