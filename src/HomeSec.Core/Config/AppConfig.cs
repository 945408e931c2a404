using HomeSec.Core.Alerts;
using HomeSec.Core.Config.Options;
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

    /// <summary><c>cluster</c>: this daemon as a node of an NVR + GPU-box cluster (disabled by default).</summary>
    public ClusterConfig Cluster { get; init; } = ClusterConfig.Disabled;

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
public sealed record OutboxConfig(
    string Dir,
    [property: Option("max_items", Min = 1, Max = 1_000_000, Default = 1000, Description = "alerts kept per notifier; the oldest are dropped past it")] int MaxItems,
    [property: Option("backoff_s", Min = 0.01, Max = 3600, Default = 5)] TimeSpan Backoff,
    [property: Option("max_backoff_s", Min = 0.01, Max = 86400, Default = 300)] TimeSpan MaxBackoff)
{
    /// <summary>Where the outboxes are without a <c>dir</c>: relative to the working directory.</summary>
    public static string DefaultDir => Path.GetFullPath(Path.Combine("data", "outbox"));

    public static OutboxConfig Default { get; } = OptionBinder.Defaults<OutboxConfig>() with { Dir = DefaultDir };

    public TimeSpan DelayAfter(int failures) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, (long)(Backoff.Ticks * Math.Pow(2, Math.Max(0, failures - 1)))));
}

public sealed record CameraConfig(string Name, PluginSpec Source)
{
    /// <summary><c>zones</c> and <c>alerts</c>: what the alert gate applies to this camera's alerts.</summary>
    public Alerts.Gate.CameraAlertRules AlertRules { get; init; } = Alerts.Gate.CameraAlertRules.Default;
}

/// <param name="Timeout">One upload, retries of the plugin included.</param>
public sealed record StorageConfig(PluginSpec Plugin, [property: Option("timeout_s", Min = 1, Max = 86400, Default = 300)] TimeSpan Timeout);

public sealed record NotifierConfig(string Name, PluginSpec Plugin, [property: Option("timeout_s", Min = 1, Max = 3600, Default = 30)] TimeSpan Timeout)
{
    /// <summary><c>phases</c>: which alerts it delivers: <c>detected</c> (the fast one while recording), <c>final</c> (the finished clip's).</summary>
    public IReadOnlyList<string> Phases { get; init; } = Alerts.AlertPhases.All;

    /// <summary>Email reads best as one message with the summary and the picture: only the final alert by default.</summary>
    public static IReadOnlyList<string> DefaultPhasesOf(string backend) => backend == "email" ? [Alerts.AlertPhases.Final] : Alerts.AlertPhases.All;
}

public sealed record FilterConfig(PluginSpec Plugin, IReadOnlyList<string> TriggerClasses, [property: Option("timeout_s", Min = 1, Max = 3600, Default = 120)] TimeSpan Timeout);

/// <param name="Plugin">Null when the VLM is disabled (<c>backend: none</c>).</param>
/// <param name="ActivityTypes">The one activity vocabulary: built-in types plus <c>vlm.extra_activity_types</c>.</param>
public sealed record VlmConfig(PluginSpec? Plugin, [property: Option("timeout_s", Min = 1, Max = 3600, Default = 240)] TimeSpan Timeout, ActivityVocabulary ActivityTypes);

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
    [property: Option("spool_max_events", Min = 100, Max = 100_000_000, Default = 200_000)] int SpoolMaxEvents)
{
    public string SpoolPath => Path.Combine(LocalStateDir, "journal-spool");

    public string NotificationLedgerDir => Path.Combine(LocalStateDir, "notified");

    public override string ToString() => $"StateStoreConfig {{ Backend = {Backend}, SqlitePath = {SqlitePath}, LocalStateDir = {LocalStateDir} }}";
}

/// <summary><c>concurrency</c>: the coordinator's in-flight bound and each stage's parallel jobs.</summary>
public sealed record ConcurrencyConfig(
    [property: Option("max_clips_in_flight", Min = 1, Max = 10_000, Description = "clips processed at once; the rest wait in arrival order")] int MaxClipsInFlight = 8,
    [property: Option("upload_workers", Min = 1, Max = 256)] int UploadWorkers = 2,
    [property: Option("filter_workers", Min = 1, Max = 256)] int FilterWorkers = 2,
    [property: Option("vlm_workers", Min = 1, Max = 256)] int VlmWorkers = 1,
    [property: Option("notify_workers", Min = 1, Max = 256)] int NotifyWorkers = 2);

/// <summary>Per-stage retries: attempt n waits min(backoff · 2^(n-1), max_backoff).</summary>
public sealed record RetryConfig(
    [property: Option("max_attempts", Min = 1, Max = 100, Default = 3)] int MaxAttempts,
    [property: Option("backoff_s", Min = 0, Max = 3600, Default = 1)] TimeSpan Backoff,
    [property: Option("max_backoff_s", Min = 0, Max = 86400, Default = 60)] TimeSpan MaxBackoff)
{
    public TimeSpan DelayBefore(int nextAttempt) => Plugins.Http.HttpRetry.BackoffBefore(nextAttempt, Backoff, MaxBackoff);
}

/// <summary><c>health</c>: the HTTP listener of /health, /metrics and the API.</summary>
public sealed record HealthConfig(
    [property: Option("enabled")] bool Enabled = true,
    [property: Option("host", Description = "address to listen on (0.0.0.0 inside a container)")] string Host = "127.0.0.1",
    [property: Option("port", Min = 0, Max = 65535)] int Port = 8080);
