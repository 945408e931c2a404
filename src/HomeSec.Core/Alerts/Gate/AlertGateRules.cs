using System.Collections.Immutable;

namespace HomeSec.Core.Alerts.Gate;

/// <summary>What the gate is asked about one clip, once the alert policy decided.</summary>
/// <param name="Risk">The VLM's risk, when there is an analysis (a higher risk passes a cooldown).</param>
public sealed record AlertProposal(string Camera, AlertDecision Decision, FilterResult? Filter, RiskLevel? Risk, IReadOnlyCollection<string> TriggerClasses);

/// <summary>The last alert per camera and zone (the zone "" when the camera has none), for cooldowns.</summary>
public sealed record GateState(ArmedMode Mode, ImmutableDictionary<(string Camera, string Zone), (DateTimeOffset At, RiskLevel? Risk)> LastAlerts)
{
    public static GateState Initial(ArmedMode mode) => new(mode, ImmutableDictionary<(string, string), (DateTimeOffset, RiskLevel?)>.Empty);
}

/// <summary>
/// The armed mode, required zones and cooldowns, as a pure function: state + proposal + now → decision + state. It only
/// ever turns a "notify" into a "don't", with the reason recorded in the clip's alert_decision_made; a decision not to
/// notify passes unchanged (the gate never adds alerts).
/// </summary>
public static class AlertGateRules
{
    public static (AlertDecision Decision, GateState State) Decide(GateState state, AlertProposal proposal, CameraAlertRules rules, DateTimeOffset now)
    {
        var decision = proposal.Decision;
        if (!decision.Notify)
        {
            return (decision, state);
        }

        if (state.Mode == ArmedMode.Off)
        {
            return (Suppressed(decision, "mode_off", "the armed mode is off"), state);
        }

        if (!rules.Modes.Contains(state.Mode))
        {
            return (Suppressed(decision, "mode", $"camera {proposal.Camera} does not alert in mode {state.Mode.ToWireName()}"), state);
        }

        var zones = ZonesOfTriggers(proposal, rules);
        if (zones is { Inside.Count: 0 })
        {
            return (Suppressed(decision, "zone", $"no {string.Join("/", zones.Value.Classes)} in a required zone ({string.Join(", ", zones.Value.Required)})"), state);
        }

        var keys = (zones?.Inside ?? [""]).Select(zone => (proposal.Camera, zone)).ToList();
        var cooling = keys.Select(k => state.LastAlerts.TryGetValue(k, out var last) ? last : ((DateTimeOffset At, RiskLevel? Risk)?)null)
            .Where(last => last is { } l && now - l.At < rules.Cooldown && !Escalates(proposal.Risk, l.Risk))
            .ToList();
        if (rules.Cooldown > TimeSpan.Zero && cooling.Count == keys.Count)
        {
            var since = now - cooling.Max(l => l!.Value.At);
            return (Suppressed(decision, "cooldown", $"the last alert of {proposal.Camera} was {since.TotalSeconds:0} s ago (cooldown_s {rules.Cooldown.TotalSeconds:0})"), state);
        }

        var next = state with { LastAlerts = keys.Aggregate(state.LastAlerts, (all, key) => all.SetItem(key, (now, proposal.Risk))) };
        var inZones = zones?.Inside ?? [];
        return (inZones.Count == 0 ? decision : decision with { Reason = $"{decision.Reason} (in {string.Join(", ", inZones)})", Zones = inZones }, next);
    }

    private static AlertDecision Suppressed(AlertDecision decision, string code, string sentence) =>
        decision with { Notify = false, Reason = $"suppressed ({code}): {sentence}; the policy said: {decision.Reason}" };

    private static bool Escalates(RiskLevel? risk, RiskLevel? last) => risk is { } r && (last is not { } l || r > l);

    /// <summary>The required zones the trigger-class objects are in; null when no trigger class has required zones (or nothing has boxes).</summary>
    private static (IReadOnlyList<string> Inside, IReadOnlyList<string> Required, IReadOnlyList<string> Classes)? ZonesOfTriggers(AlertProposal proposal, CameraAlertRules rules)
    {
        if (proposal.Filter is not { Frames: { } frames, FrameWidth: { } width, FrameHeight: { } height })
        {
            return null;
        }

        var boxes = frames.SelectMany(f => f.Boxes)
            .Where(b => proposal.TriggerClasses.Contains(b.Class, StringComparer.OrdinalIgnoreCase) && rules.RequiredZonesOf(b.Class) is not null)
            .ToList();
        if (boxes.Count == 0)
        {
            return null;
        }

        var inside = new List<string>();
        var required = new List<string>();
        foreach (var box in boxes)
        {
            foreach (var name in rules.RequiredZonesOf(box.Class)!)
            {
                if (!required.Contains(name))
                {
                    required.Add(name);
                }

                if (!inside.Contains(name) && rules.Zones.FirstOrDefault(z => z.Name == name) is { } zone && zone.Contains(box, width, height))
                {
                    inside.Add(name);
                }
            }
        }

        return (inside, required, boxes.Select(b => b.Class).Distinct(StringComparer.Ordinal).ToList());
    }
}
