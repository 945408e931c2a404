using HomeSec.Core.Config.Options;

namespace HomeSec.Core.Retention;

/// <summary>What happens to a clip's source file (the recording, the FTP upload, the watched file) once it is stored.</summary>
public enum SourceFilesPolicy
{
    Keep,
    DeleteAfterStored,
}

/// <summary>
/// One camera's rules, or the defaults every camera starts from. Null means "no limit". Local rules apply
/// to the clip files on this machine (where the source wrote or took them); remote rules to the storage backend.
/// </summary>
/// <param name="LocalMaxDays">Local clip files older than this are deleted (once stored).</param>
/// <param name="KeepAlertedDays">Clips that alerted are kept this long locally instead of <paramref name="LocalMaxDays"/>.</param>
/// <param name="LocalMaxBytes">This camera's local clip files are kept below this many bytes, oldest deleted first.</param>
/// <param name="RemoteMaxDays">Stored copies older than this are deleted from the storage backend.</param>
public sealed record RetentionRules(
    double? LocalMaxDays,
    double? KeepAlertedDays,
    long? LocalMaxBytes,
    double? RemoteMaxDays,
    SourceFilesPolicy SourceFiles)
{
    public static RetentionRules None { get; } = new(null, null, null, null, SourceFilesPolicy.Keep);
}

/// <summary>A camera's <c>retention</c> section: every key it sets replaces the global default.</summary>
public sealed record RetentionOverrides(
    double? LocalMaxDays = null,
    double? KeepAlertedDays = null,
    long? LocalMaxBytes = null,
    double? RemoteMaxDays = null,
    SourceFilesPolicy? SourceFiles = null)
{
    public RetentionRules Over(RetentionRules defaults) => new(
        LocalMaxDays ?? defaults.LocalMaxDays,
        KeepAlertedDays ?? defaults.KeepAlertedDays,
        LocalMaxBytes ?? defaults.LocalMaxBytes,
        RemoteMaxDays ?? defaults.RemoteMaxDays,
        SourceFiles ?? defaults.SourceFiles);
}

/// <summary>
/// The <c>retention</c> config: rules per camera, a cap on all local clip files together, and a free-space
/// floor on each filesystem that holds clips. Below <see cref="CriticalFreeBytes"/> even clips that are not stored
/// yet are deleted, oldest first (a full disk would stop every camera recording).
/// </summary>
/// <param name="Defaults">The rules of a camera that sets none (<c>retention.local.max_gb</c> is not among them: it caps all cameras together).</param>
/// <param name="TotalLocalMaxBytes"><c>retention.local.max_gb</c>: all cameras' local clip files together.</param>
/// <param name="CheckInterval">How often a full pass runs.</param>
/// <param name="FloorCheckInterval">How often free space is looked at; a pass starts at once below the floor.</param>
public sealed record RetentionConfig(
    RetentionRules Defaults,
    IReadOnlyDictionary<string, RetentionOverrides> PerCamera,
    long? TotalLocalMaxBytes,
    long? MinFreeBytes,
    long? CriticalFreeBytes,
    [property: Option("check_interval_s", Min = 1, Max = 7 * 86400, Default = 600)] TimeSpan CheckInterval,
    [property: Option("floor_check_interval_s", Min = 1, Max = 86400, Default = 30)] TimeSpan FloorCheckInterval)
{
    public static RetentionConfig Disabled { get; } = OptionBinder.Defaults<RetentionConfig>() with
    {
        Defaults = RetentionRules.None,
        PerCamera = new Dictionary<string, RetentionOverrides>(),
    };

    public RetentionRules For(string camera) => PerCamera.TryGetValue(camera, out var overrides) ? overrides.Over(Defaults) : Defaults;

    /// <summary>True when some rule can delete something (the daemon starts no retention actor otherwise).</summary>
    public bool DeletesAnything =>
        TotalLocalMaxBytes is not null || MinFreeBytes is not null || CriticalFreeBytes is not null ||
        PerCamera.Values.Select(o => o.Over(Defaults)).Append(Defaults).Any(r =>
            r.LocalMaxDays is not null || r.KeepAlertedDays is not null || r.LocalMaxBytes is not null || r.RemoteMaxDays is not null ||
            r.SourceFiles == SourceFilesPolicy.DeleteAfterStored);

    public const long BytesPerGb = 1L << 30;

    /// <summary>These rules, with every camera's local files also deleted past <paramref name="age"/> (<c>cleanup --older-than</c>).</summary>
    public RetentionConfig WithLocalMaxAge(TimeSpan age) => this with
    {
        Defaults = Defaults with { LocalMaxDays = Math.Min(age.TotalDays, Defaults.LocalMaxDays ?? double.MaxValue) },
        PerCamera = PerCamera.ToDictionary(p => p.Key, p => p.Value with
        {
            LocalMaxDays = Math.Min(age.TotalDays, p.Value.LocalMaxDays ?? Defaults.LocalMaxDays ?? double.MaxValue),
        }, StringComparer.Ordinal),
    };
}
