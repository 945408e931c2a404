namespace HomeSec.Core.Alerts;

/// <summary>Whether to notify, and a sentence a person can read saying why.</summary>
public sealed record AlertDecision(bool Notify, string Reason)
{
    /// <summary>The required zones the objects that alerted were in (none when the camera requires none).</summary>
    public IReadOnlyList<string>? Zones { get; init; }
}
