namespace HomeSec.Core.Alerts;

/// <summary>
/// The one activity vocabulary: what the VLM may answer and what alert rules may name.
/// Config may extend it; it never has two definitions.
/// </summary>
public static class ActivityTypes
{
    public const string Motion = "motion";

    public static IReadOnlyList<string> Builtin { get; } =
    [
        "person_passing",
        "person_at_door",
        "delivery",
        "visitor",
        "loitering",
        "suspicious_behavior",
        "break_in_attempt",
        "vehicle",
        "animal",
        "other",
    ];
}
