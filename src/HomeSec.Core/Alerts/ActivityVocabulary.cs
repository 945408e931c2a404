namespace HomeSec.Core.Alerts;

/// <summary>
/// The activity types of one configuration: <see cref="ActivityTypes.Builtin"/> plus what the user added
/// under <c>vlm.extra_activity_types</c>. The VLM's JSON schema enum and the alert rules both read this one list.
/// </summary>
public sealed class ActivityVocabulary
{
    private readonly HashSet<string> _lookup;

    private ActivityVocabulary(IReadOnlyList<string> names)
    {
        Names = names;
        _lookup = new HashSet<string>(names, StringComparer.Ordinal);
    }

    public static ActivityVocabulary Builtin { get; } = new(ActivityTypes.Builtin);

    public IReadOnlyList<string> Names { get; }

    /// <summary>For error messages: every allowed name.</summary>
    public string Allowed => string.Join(", ", Names);

    public bool Contains(string activityType) => _lookup.Contains(activityType);

    /// <summary>The built-in types followed by <paramref name="extraTypes"/>; a name already present is kept once.</summary>
    public static ActivityVocabulary WithExtra(IEnumerable<string> extraTypes) =>
        new(ActivityTypes.Builtin.Concat(extraTypes).Distinct(StringComparer.Ordinal).ToList());
}
