using HomeSec.Core.Alerts;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.AlertPolicies.Default;
using HomeSec.Core.Plugins.AlertPolicies.Noop;
using Xunit;

namespace HomeSec.Tests.Plugins.AlertPolicies;

public sealed class DefaultAlertPolicySpecs
{
    private static readonly FilterResult Person = new(["person"], 0.9, 5, "yolo");
    private static readonly FilterResult CarOnly = new(["car"], 0.8, 5, "yolo");

    /// <summary>Global rules of every row: min_risk_level medium, notify_on_activity_types [delivery], notify_on_motion off.</summary>
    private static readonly DefaultAlertPolicy Policy = new(new DefaultAlertPolicyOptions(RiskLevel.Medium, ["delivery"], NotifyOnMotion: false));

    public static TheoryData<string, FilterResult?, AnalysisResult?, string?, AlertOverrides?, bool, string> DecisionTable => new()
    {
        { "risk at the minimum", Person, Analysed(RiskLevel.Medium, "visitor"), null, null, true, "risk medium is at or above min_risk_level medium" },
        { "risk above the minimum", Person, Analysed(RiskLevel.Critical, "break_in_attempt"), null, null, true, "risk critical is at or above min_risk_level medium" },
        { "low risk, listed activity", Person, Analysed(RiskLevel.Low, "delivery"), null, null, true, "activity 'delivery' is in notify_on_activity_types" },
        { "low risk, other activity", Person, Analysed(RiskLevel.Low, "person_passing"), null, null, false,
            "risk low is below min_risk_level medium and activity 'person_passing' is not in notify_on_activity_types" },
        { "vlm skipped (disabled), trigger seen", Person, null, "vlm disabled (vlm: none)", null, true, "person detected without a VLM analysis (vlm disabled (vlm: none))" },
        { "vlm failed, trigger seen", Person, null, "vlm failed: 502 Bad Gateway", null, true, "person detected without a VLM analysis (vlm failed: 502 Bad Gateway)" },
        { "no trigger class, motion off", CarOnly, null, "no trigger class (person) detected; saw: car", null, false, "no trigger class detected and notify_on_motion is off" },
        { "no detector, motion off", FilterResult.NoDetector, null, "no detector configured (filter: none)", null, false, "motion (no detector) and notify_on_motion is off" },
        { "filter failed, motion off", null, null, "the filter failed", null, false, "the filter failed and notify_on_motion is off" },
        { "camera: motion on", FilterResult.NoDetector, null, "no detector configured (filter: none)", new AlertOverrides(null, null, true), true,
            "motion (no detector) and notify_on_motion is on" },
        { "camera: filter failed, motion on", null, null, "the filter failed", new AlertOverrides(null, null, true), true, "the filter failed and notify_on_motion is on" },
        { "camera: higher minimum", Person, Analysed(RiskLevel.Medium, "visitor"), null, new AlertOverrides(RiskLevel.High, null, null), false,
            "risk medium is below min_risk_level high" },
        { "camera: no listed activities", Person, Analysed(RiskLevel.Low, "delivery"), null, new AlertOverrides(null, [], null), false,
            "activity 'delivery' is not in notify_on_activity_types" },
        { "camera: own listed activity", Person, Analysed(RiskLevel.Low, "animal"), null, new AlertOverrides(null, ["animal"], null), true,
            "activity 'animal' is in notify_on_activity_types" },
    };

    [Theory]
    [MemberData(nameof(DecisionTable))]
    public void Should_decide_with_a_reason_when_given_a_row_of_the_decision_table(
        string row, FilterResult? filter, AnalysisResult? analysis, string? noAnalysisReason, AlertOverrides? cameraOverrides, bool notify, string reason)
    {
        // Given
        var input = new AlertInput("front_door", filter, analysis, noAnalysisReason, ["person"]);

        // When
        var decision = Policy.Decide(input, cameraOverrides);

        // Then
        Assert.True(notify == decision.Notify, $"{row}: expected notify={notify}, got {decision}");
        Assert.Contains(reason, decision.Reason);
    }

    [Fact]
    public void Should_never_notify_but_say_why_when_the_policy_is_noop()
    {
        // Given
        var input = new AlertInput("front_door", Person, Analysed(RiskLevel.Critical, "break_in_attempt"), null, ["person"]);

        // When
        var decision = new NoopAlertPolicy().Decide(input, null);

        // Then
        Assert.False(decision.Notify);
        Assert.Equal("alert policy 'noop' never notifies", decision.Reason);
    }

    private static AnalysisResult Analysed(RiskLevel risk, string activity) => new(risk, activity, "summary");
}
