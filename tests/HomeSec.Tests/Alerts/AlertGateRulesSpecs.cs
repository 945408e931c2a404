using HomeSec.Core.Alerts;
using HomeSec.Core.Alerts.Gate;
using Xunit;

namespace HomeSec.Tests.Alerts;

public sealed class AlertGateRulesSpecs
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 20, 0, 0, TimeSpan.Zero);
    private static readonly AlertDecision Notify = new(true, "person detected");
    private static readonly string[] Triggers = ["person"];

    // A 1000x500 frame; the porch is the bottom-left quarter.
    private static readonly Zone Porch = new("porch", [(0, 250), (500, 250), (500, 500), (0, 500)], ZoneUnits.Pixels);
    private static readonly Zone Street = new("street", [(0.5, 0), (1, 0), (1, 1), (0.5, 1)], ZoneUnits.Relative);

    private static FilterResult PersonAt(double x1, double y1, double x2, double y2, string objectClass = "person") =>
        new([objectClass], 0.9, 4, "yolo") { Frames = [new FrameDetections(1, [new DetectedBox(objectClass, 0.9, x1, y1, x2, y2)])], FrameWidth = 1000, FrameHeight = 500 };

    private static CameraAlertRules Rules(IReadOnlyDictionary<string, IReadOnlyList<string>>? required = null, double cooldownS = 0, params ArmedMode[] modes) =>
        new([Porch, Street], required ?? new Dictionary<string, IReadOnlyList<string>>(), TimeSpan.FromSeconds(cooldownS),
            modes.Length == 0 ? new HashSet<ArmedMode> { ArmedMode.Home, ArmedMode.Away } : modes.ToHashSet());

    private static AlertProposal Proposal(FilterResult? filter = null, RiskLevel? risk = null, AlertDecision? decision = null) =>
        new("front_door", decision ?? Notify, filter ?? PersonAt(100, 300, 200, 480), risk, Triggers);

    private static Dictionary<string, IReadOnlyList<string>> Require(string objectClass, params string[] zones) => new() { [objectClass] = zones };

    [Fact]
    public void Should_suppress_every_alert_with_its_reason_when_the_mode_is_off()
    {
        // Given
        var state = GateState.Initial(ArmedMode.Off);

        // When
        var (decision, _) = AlertGateRules.Decide(state, Proposal(), Rules(), Now);

        // Then
        Assert.False(decision.Notify);
        Assert.StartsWith("suppressed (mode_off)", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("person detected", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_suppress_a_camera_that_alerts_only_when_away_while_the_household_is_home()
    {
        // Given
        var rules = Rules(modes: ArmedMode.Away);

        // When
        var home = AlertGateRules.Decide(GateState.Initial(ArmedMode.Home), Proposal(), rules, Now).Decision;
        var away = AlertGateRules.Decide(GateState.Initial(ArmedMode.Away), Proposal(), rules, Now).Decision;

        // Then
        Assert.False(home.Notify);
        Assert.StartsWith("suppressed (mode)", home.Reason, StringComparison.Ordinal);
        Assert.True(away.Notify);
    }

    [Fact]
    public void Should_alert_only_for_an_object_standing_in_a_required_zone()
    {
        // Given a person whose feet are on the porch, and one whose box reaches into it but who stands above it
        var rules = Rules(Require("person", "porch"));
        var onPorch = Proposal(PersonAt(100, 300, 200, 480));
        var abovePorch = Proposal(PersonAt(100, 50, 200, 240));

        // When
        var inside = AlertGateRules.Decide(GateState.Initial(ArmedMode.Home), onPorch, rules, Now).Decision;
        var outside = AlertGateRules.Decide(GateState.Initial(ArmedMode.Home), abovePorch, rules, Now).Decision;

        // Then
        Assert.True(inside.Notify);
        Assert.Equal(["porch"], inside.Zones);
        Assert.Contains("(in porch)", inside.Reason, StringComparison.Ordinal);
        Assert.False(outside.Notify);
        Assert.StartsWith("suppressed (zone): no person in a required zone (porch)", outside.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_measure_relative_zones_in_shares_of_the_frame_and_apply_required_zones_per_class()
    {
        // Given cars must be in the street (right half, relative); persons anywhere
        var rules = Rules(Require("car", "street"));
        var triggersCar = new AlertProposal("front_door", Notify, PersonAt(700, 100, 900, 400, "car"), null, ["car"]);
        var carOnLawn = new AlertProposal("front_door", Notify, PersonAt(100, 100, 300, 400, "car"), null, ["car"]);

        // When
        var street = AlertGateRules.Decide(GateState.Initial(ArmedMode.Home), triggersCar, rules, Now).Decision;
        var lawn = AlertGateRules.Decide(GateState.Initial(ArmedMode.Home), carOnLawn, rules, Now).Decision;
        var person = AlertGateRules.Decide(GateState.Initial(ArmedMode.Home), Proposal(PersonAt(100, 50, 200, 240)), rules, Now).Decision;

        // Then
        Assert.True(street.Notify);
        Assert.False(lawn.Notify);
        Assert.True(person.Notify);
    }

    [Fact]
    public void Should_hold_back_a_second_alert_within_the_cooldown_unless_the_risk_is_higher()
    {
        // Given a first alert (risk medium) passed
        var rules = Rules(cooldownS: 60);
        var (_, afterFirst) = AlertGateRules.Decide(GateState.Initial(ArmedMode.Home), Proposal(risk: RiskLevel.Medium), rules, Now);

        // When
        var same = AlertGateRules.Decide(afterFirst, Proposal(risk: RiskLevel.Medium), rules, Now.AddSeconds(30)).Decision;
        var higher = AlertGateRules.Decide(afterFirst, Proposal(risk: RiskLevel.High), rules, Now.AddSeconds(30)).Decision;
        var later = AlertGateRules.Decide(afterFirst, Proposal(risk: RiskLevel.Medium), rules, Now.AddSeconds(61)).Decision;

        // Then
        Assert.False(same.Notify);
        Assert.StartsWith("suppressed (cooldown): the last alert of front_door was 30 s ago", same.Reason, StringComparison.Ordinal);
        Assert.True(higher.Notify);
        Assert.True(later.Notify);
    }

    [Fact]
    public void Should_keep_cooldowns_per_zone()
    {
        // Given an alert on the porch
        var rules = Rules(Require("person", "porch", "street"), cooldownS: 60);
        var (_, afterPorch) = AlertGateRules.Decide(GateState.Initial(ArmedMode.Home), Proposal(PersonAt(100, 300, 200, 480)), rules, Now);

        // When a person is in the street 10 s later, and on the porch again
        var street = AlertGateRules.Decide(afterPorch, Proposal(PersonAt(700, 300, 800, 480)), rules, Now.AddSeconds(10)).Decision;
        var porchAgain = AlertGateRules.Decide(afterPorch, Proposal(PersonAt(100, 300, 200, 480)), rules, Now.AddSeconds(10)).Decision;

        // Then
        Assert.True(street.Notify);
        Assert.False(porchAgain.Notify);
    }

    [Fact]
    public void Should_pass_a_decision_not_to_notify_unchanged_and_never_add_an_alert()
    {
        // Given
        var quiet = new AlertDecision(false, "risk low is below min_risk_level medium");

        // When
        var (decision, state) = AlertGateRules.Decide(GateState.Initial(ArmedMode.Away), Proposal(decision: quiet), Rules(), Now);

        // Then
        Assert.Same(quiet, decision);
        Assert.Empty(state.LastAlerts);
    }
}
