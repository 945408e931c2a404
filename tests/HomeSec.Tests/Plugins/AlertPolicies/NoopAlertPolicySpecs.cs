using HomeSec.Core.Alerts;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.AlertPolicies.Noop;
using Xunit;

namespace HomeSec.Tests.Plugins.AlertPolicies;

public sealed class NoopAlertPolicySpecs
{
    public static TheoryData<string> Inputs => new(Cases.Keys);

    private static readonly Dictionary<string, AlertInput> Cases = new(StringComparer.Ordinal)
    {
        ["critical break-in"] = new("front_door", FilterResult.NoDetector, new AnalysisResult(RiskLevel.Critical, "break_in_attempt", "forcing the door"), null, ["person"]),
        ["trigger class without analysis"] = new("front_door", new FilterResult(["person"], 0.99, 5, "yolo"), null, "vlm skipped", ["person"]),
        ["plain motion"] = new("front_door", FilterResult.NoDetector, null, null, ["person"]),
        ["filter failed"] = new("front_door", null, null, "filter failed", ["person"]),
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Should_not_notify_when_any_clip_is_judged(string input)
    {
        // Given
        var policy = new NoopAlertPolicy();

        // When
        var decision = policy.Decide(Cases[input]);

        // Then
        Assert.False(decision.Notify);
        Assert.Contains("noop", decision.Reason, StringComparison.Ordinal);
    }
}
