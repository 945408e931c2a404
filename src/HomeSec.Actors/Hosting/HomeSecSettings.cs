using Akka.Actor;
using HomeSec.Actors.Cameras;
using HomeSec.Actors.Clips;
using HomeSec.Actors.Inference;
using HomeSec.Actors.Metrics;
using HomeSec.Actors.Repository;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Actors.Workers;
using HomeSec.Core.Clips.Workflow;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Notifiers.Ledger;
using Microsoft.Extensions.Logging;

namespace HomeSec.Actors.Hosting;

/// <summary>The built plugins and limits the actor tree starts with, made from the validated config.</summary>
public sealed record HomeSecSettings(
    IReadOnlyList<CameraSource> Cameras,
    WorkerPoolSettings Workers,
    IAlertPolicy AlertPolicy,
    IReadOnlyCollection<string> TriggerClasses,
    RetryConfig Retry,
    int MaxClipsInFlight,
    RepositorySettings Repository,
    TimeProvider Clock)
{
    public CameraRestartBackoff CameraBackoff { get; init; } = CameraRestartBackoff.Default;

    /// <summary>The camera sources' watch loops, which shutdown stops and waits for.</summary>
    public RunningSources RunningSources { get; init; } = new();

    /// <summary>How long shutdown waits for clips in flight (below the phase timeout in hocon/homesec.conf).</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Where the actors record what they do; the daemon exports it on <c>/metrics</c> (a private registry by default).</summary>
    public HomeSecMetrics Metrics { get; init; } = new(Prometheus.Metrics.NewCustomRegistry());

    /// <summary>The detector plugins were given; the root starts the inference pool when a plugin asked for one.</summary>
    public InferenceClient Inference { get; init; } = new();

    /// <summary>The alert gate (armed mode, zones, cooldowns) every clip's alert decision passes.</summary>
    public HomeSec.Core.Alerts.Gate.AlertGate? Gate { get; init; }

    /// <summary>What retention deletes when; null without a state store to read clips from.</summary>
    public Retention.RetentionSettings? Retention { get; init; }

    /// <summary>The alert gate of this config: its cameras' zones and alert rules, the mode saved in local_state_dir (else the config's).</summary>
    public static HomeSec.Core.Alerts.Gate.AlertGate GateFor(AppConfig config) =>
        new(config.InitialMode, config.Cameras.ToDictionary(c => c.Name, c => c.AlertRules, StringComparer.Ordinal),
            Path.Combine(config.StateStore.LocalStateDir, "mode.json"));

    /// <param name="gate">The alert gate, when the caller shares it (the daemon's HTTP API sets the mode); else one is made.</param>
    public static HomeSecSettings FromConfig(AppConfig config, PluginRegistries registries, ILoggerFactory loggerFactory, TimeProvider clock,
        HomeSec.Core.Alerts.Gate.AlertGate? gate = null, HomeSec.Core.Media.LiveFrames? liveFrames = null)
    {
        var inference = new InferenceClient();
        gate ??= GateFor(config);
        var context = new PluginContext(loggerFactory, clock)
        {
            CameraNames = config.Cameras.Select(c => c.Name).ToList(),
            TriggerClasses = config.Filter.TriggerClasses,
            Inference = inference,
            Gate = gate,
            LiveFrames = liveFrames,
        };
        var filter = registries.Filters.Create(config.Filter.Plugin, context);
        // live_detection: RTSP cameras run the filter's own model (same pool, same class and confidence rules) while recording.
        var sourceContext = config.LiveDetection.Enabled && filter is HomeSec.Core.Alerts.Live.ILiveDetector live
            ? context with { LiveDetector = live, LiveDetectionInterval = config.LiveDetection.Interval }
            : context;
        var cameras = config.Cameras
            .Select(camera => new CameraSource(camera.Name, () => registries.Sources.Create(camera.Source, sourceContext with { CameraName = camera.Name })))
            .ToList();
        var notifiers = config.Notifiers
            .Select(n =>
            {
                var plugin = registries.Notifiers.Create(n.Plugin, context);
                return new NamedNotifier(n.Name, new DeduplicatingNotifier(plugin,
                    new DeliveryLedger(Path.Combine(config.StateStore.NotificationLedgerDir, n.Name + ".log"))), n.Timeout)
                {
                    Connection = plugin as INotifierConnection,
                };
            })
            .ToList();
        var workers = new WorkerPoolSettings(
            new StorageStageSettings(registries.Storage.Create(config.Storage.Plugin, context), config.Storage.Plugin.Name, config.Storage.Timeout, config.Concurrency.UploadWorkers),
            new FilterStageSettings(filter, config.Filter.Plugin.Name, config.Filter.Timeout, config.Concurrency.FilterWorkers)
            {
                TriggerClasses = config.Filter.TriggerClasses,
            },
            config.Vlm.Plugin is { } vlm ? new VlmStageSettings(registries.Analyzers.Create(vlm, context), vlm.Name, config.Vlm.Timeout, config.Concurrency.VlmWorkers) : null,
            new NotifyStageSettings(notifiers, notifiers.Count == 0 ? TimeSpan.FromSeconds(30) : notifiers.Max(n => n.Timeout) + TimeSpan.FromSeconds(5), config.Concurrency.NotifyWorkers)
            {
                Outbox = config.Outbox,
            })
        {
            Clock = clock,
        };
        var repository = new RepositorySettings(ClipStore.For(config.StateStore), config.StateStore.SpoolPath, config.StateStore.SpoolMaxEvents);
        // Always started (with a store): without rules it deletes nothing but still measures the disks for /health and /metrics.
        var retention = repository.Store is { } store
            ? new Retention.RetentionSettings(config.Retention, store, workers.Storage.Plugin, config.Storage.Plugin.Name,
                loggerFactory.CreateLogger("HomeSec.Retention"), clock)
            : null;
        return new HomeSecSettings(cameras, workers, registries.AlertPolicies.Create(config.AlertPolicy, context),
            config.Filter.TriggerClasses, config.Retry, config.Concurrency.MaxClipsInFlight, repository, clock)
        {
            Inference = inference,
            Retention = retention,
            Gate = gate,
            PublicUrl = config.Web.PublicUrl,
            DetectedPhaseNotifiers = [.. config.Notifiers.Where(n => n.Phases.Contains(HomeSec.Core.Alerts.AlertPhases.Detected)).Select(n => n.Name)],
            DetectedOnlyNotifiers = config.Notifiers.Where(n => !n.Phases.Contains(HomeSec.Core.Alerts.AlertPhases.Final)).Select(n => n.Name).ToHashSet(StringComparer.Ordinal),
        };
    }

    /// <summary><c>web.public_url</c>: alerts link to the clip's page in the web UI.</summary>
    public Uri? PublicUrl { get; init; }

    /// <summary>A worker that never answers is given up on after its own timeout plus this margin.</summary>
    public TimeSpan StageDeadline => Workers.LongestTimeout + TimeSpan.FromSeconds(30);

    /// <summary>The rules the clip workflow decides by (which notifiers keep an outbox comes with the pools).</summary>
    public WorkflowRules Rules => new(
        Workers.Storage.PluginName, Workers.Filter.PluginName, Workers.Vlm?.PluginName,
        Workers.Notify.Notifiers.Select(n => n.Name).ToList(), TriggerClasses, AlertPolicy, Retry,
        new HashSet<string>(StringComparer.Ordinal), StageDeadline)
    {
        PublicUrl = PublicUrl,
        DetectedPhaseNotifiers = DetectedPhaseNotifiers,
        DetectedOnlyNotifiers = DetectedOnlyNotifiers,
    };

    /// <summary>Notifiers whose <c>phases</c> include <c>detected</c>.</summary>
    public IReadOnlyList<string> DetectedPhaseNotifiers { get; init; } = [];

    /// <summary>Notifiers whose <c>phases</c> are only <c>detected</c>.</summary>
    public IReadOnlySet<string> DetectedOnlyNotifiers { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public ClipPipeline Pipeline(WorkerPoolsReady pools, IActorRef repository) => new(
        pools.Uploads, pools.Filters, pools.Vlm, pools.Notify, repository, Rules, Clock)
    {
        Outboxes = pools.Outboxes,
        Gate = Gate,
    };
}
