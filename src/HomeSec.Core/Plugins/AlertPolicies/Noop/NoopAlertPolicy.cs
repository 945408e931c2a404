using HomeSec.Core.Alerts;

namespace HomeSec.Core.Plugins.AlertPolicies.Noop;

/// <summary>Never alerts: for recording and analysing without notifications.</summary>
public sealed class NoopAlertPolicy : IAlertPolicy
{
    public AlertDecision Decide(AlertInput input) =>
        new(false, "alert policy 'noop' never notifies");
}
