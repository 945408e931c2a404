using HomeSec.Core.Alerts;
using HomeSec.Core.Plugins;

namespace HomeSec.Core.Config;

/// <summary>The validated user configuration. Built only by <see cref="AppConfigLoader"/>.</summary>
public sealed record AppConfig(
    IReadOnlyList<CameraConfig> Cameras,
    StorageConfig Storage,
    StateStoreConfig StateStore,
    IReadOnlyList<NotifierConfig> Notifiers,
    FilterConfig Filter,
    VlmConfig Vlm,
    PluginSpec AlertPolicy,
    ConcurrencyConfig Concurrency,
    RetryConfig Retry,
    HealthConfig Health)
{
    /// <summary>Where alerts wait while a notifier is down (see <see cref="OutboxConfig"/>).</summary>
    public OutboxConfig Outbox { get; init; } = OutboxConfig.Default;

    /// <summary><c>mode</c>: the armed mode until one is set at run time (then the saved one applies).</summary>
    public Alerts.Gate.ArmedMode InitialMode { get; init; } = Alerts.Gate.ArmedMode.Home;

    /// <summary>What is deleted when, by age, size and free space (nothing by default).</summary>
    public Retention.RetentionConfig Retention { get; init; } = HomeSec.Core.Retention.RetentionConfig.Disabled;

    /// <summary>The browser UI and who may use it.</summary>
    public Web.WebConfig Web { get; init; } = HomeSec.Core.Web.WebConfig.Default;

    /// <summary>Detection during RTSP recordings and the fast (phase detected) alert it allows.</summary>
    public Alerts.Live.LiveDetectionConfig LiveDetection { get; init; } = Alerts.Live.LiveDetectionConfig.Disabled;
}

/// <summary>
/// The per-notifier outboxes: <c>{Dir}/{notifier}/</c>, at most <c>MaxItems</c> alerts each (the oldest
/// are dropped past that), retried from <c>Backoff</c>, doubling up to <c>MaxBackoff</c>.
/// </summary>
public sealed record OutboxConfig(string Dir, int MaxItems, TimeSpan Backoff, TimeSpan MaxBackoff)
{
    public static OutboxConfig Default { get; } = new(Path.GetFullPath(Path.Combine("data", "outbox")), 1000, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));

    public TimeSpan DelayAfter(int failures) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, (long)(Backoff.Ticks * Math.Pow(2, Math.Max(0, failures - 1)))));
}

public sealed record CameraConfig(string Name, PluginSpec Source)
{
    /// <summary><c>zones</c> and <c>alerts</c>: what the alert gate applies to this camera's alerts.</summary>
    public Alerts.Gate.CameraAlertRules AlertRules { get; init; } = Alerts.Gate.CameraAlertRules.Default;
}

public sealed record StorageConfig(PluginSpec Plugin, TimeSpan Timeout);

public sealed record NotifierConfig(string Name, PluginSpec Plugin, TimeSpan Timeout)
{
    /// <summary><c>phases</c>: which alerts it delivers: <c>detected</c> (the fast one while recording), <c>final</c> (the finished clip's).</summary>
    public IReadOnlyList<string> Phases { get; init; } = Alerts.AlertPhases.All;

    /// <summary>Email reads best as one message with the summary and the picture: only the final alert by default.</summary>
    public static IReadOnlyList<string> DefaultPhasesOf(string backend) => backend == "email" ? [Alerts.AlertPhases.Final] : Alerts.AlertPhases.All;
}

public sealed record FilterConfig(PluginSpec Plugin, IReadOnlyList<string> TriggerClasses, TimeSpan Timeout);

/// <param name="Plugin">Null when the VLM is disabled (<c>backend: none</c>).</param>
/// <param name="ActivityTypes">The one activity vocabulary: built-in types plus <c>vlm.extra_activity_types</c>.</param>
public sealed record VlmConfig(PluginSpec? Plugin, TimeSpan Timeout, ActivityVocabulary ActivityTypes);

public enum StateStoreBackend
{
    Sqlite,
    Postgres,
}

/// <param name="SqlitePath">The journal file (sqlite).</param>
/// <param name="PostgresConnectionString">From the environment variable named by <c>dsn_env</c> (postgres); never logged.</param>
/// <param name="LocalStateDir">Local state that must work without the database: the event spool and the notifiers' delivery ledgers.</param>
/// <param name="SpoolMaxEvents">Past this many events waiting for the database, new ones are dropped, counted and logged.</param>
public sealed record StateStoreConfig(
    StateStoreBackend Backend,
    string SqlitePath,
    string? PostgresConnectionString,
    string LocalStateDir,
    int SpoolMaxEvents)
{
    public string SpoolPath => Path.Combine(LocalStateDir, "journal-spool");

    public string NotificationLedgerDir => Path.Combine(LocalStateDir, "notified");

    public override string ToString() => $"StateStoreConfig {{ Backend = {Backend}, SqlitePath = {SqlitePath}, LocalStateDir = {LocalStateDir} }}";
}

public sealed record ConcurrencyConfig(int MaxClipsInFlight, int UploadWorkers, int FilterWorkers, int VlmWorkers, int NotifyWorkers);

/// <summary>Per-stage retries: attempt n waits min(backoff · 2^(n-1), max_backoff).</summary>
public sealed record RetryConfig(int MaxAttempts, TimeSpan Backoff, TimeSpan MaxBackoff)
{
    public TimeSpan DelayBefore(int nextAttempt) => Plugins.Http.HttpRetry.BackoffBefore(nextAttempt, Backoff, MaxBackoff);
}

public sealed record HealthConfig(bool Enabled, string Host, int Port);
