namespace HomeSec.Core.Alerts;

/// <summary>Whether to notify, and a sentence a person can read saying why.</summary>
public sealed record AlertDecision(bool Notify, string Reason);
