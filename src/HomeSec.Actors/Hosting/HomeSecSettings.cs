using HomeSec.Actors.Cameras;
using HomeSec.Actors.Clips;
using HomeSec.Actors.Inference;
using HomeSec.Actors.Metrics;
using HomeSec.Actors.Repository;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Actors.Workers;
using HomeSec.Core.Alerts.Gate;
using HomeSec.Core.Clips.Workflow;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Notifiers.Ledger;
using Microsoft.Extensions.Logging;

namespace HomeSec.Actors.Hosting;

/// <summary>
/// The settings of every part of the actor tree, each built once from the validated config; each part's hosting
/// extension (<see cref="HomeSecPartsExtensions"/>) takes only its own.
/// </summary>
public sealed record HomeSecSettings(
    RepositorySettings Repository,
    InferenceSettings Inference,
    WorkerPoolSettings Workers,
    ClipSettings Clips,
    CameraSettings Cameras)
{
    /// <summary>Where the actors record what they do; the daemon exports it on <c>/metrics</c> (a private registry by default).</summary>
    public HomeSecMetrics Metrics { get; init; } = new(Prometheus.Metrics.NewCustomRegistry());

    /// <summary>What retention deletes when; null without a state store to read clips from.</summary>
    public Retention.RetentionSettings? Retention { get; init; }

    /// <summary>The alert gate of this config: its cameras' zones and alert rules, the mode saved in local_state_dir (else the config's).</summary>
    public static AlertGate GateFor(AppConfig config) =>
        new(config.InitialMode, config.Cameras.ToDictionary(c => c.Name, c => c.AlertRules, StringComparer.Ordinal),
            Path.Combine(config.StateStore.LocalStateDir, "mode.json"));

    /// <param name="gate">The alert gate, when the caller shares it (the daemon's HTTP API sets the mode); else one is made.</param>
    public static HomeSecSettings FromConfig(AppConfig config, PluginRegistries registries, ILoggerFactory loggerFactory, TimeProvider clock,
        AlertGate? gate = null, HomeSec.Core.Media.LiveFrames? liveFrames = null)
    {
        // Decided from the config before any plugin is built: plugins only get the pool's client.
        var inference = InferenceSettings.For(config.Filter, config.Cluster);
        gate ??= GateFor(config);
        var context = new PluginContext(loggerFactory, clock)
        {
            CameraNames = config.Cameras.Select(c => c.Name).ToList(),
            TriggerClasses = config.Filter.TriggerClasses,
            Inference = inference.Client,
            Gate = gate,
            LiveFrames = liveFrames,
        };
        var workers = WorkersFromConfig(config, registries, context, clock);
        // live_detection: RTSP cameras run the filter's own model (same pool, same class and confidence rules) while recording.
        var sourceContext = config.LiveDetection.Enabled && workers.Filter.Plugin is HomeSec.Core.Alerts.Live.ILiveDetector live
            ? context with { LiveDetector = live, LiveDetectionInterval = config.LiveDetection.Interval }
            : context;
        var cameras = new CameraSettings(config.Cameras
            .Select(camera => new CameraSource(camera.Name, () => registries.Sources.Create(camera.Source, sourceContext with { CameraName = camera.Name })))
            .ToList());
        var clips = new ClipSettings(RulesFor(config, workers, registries.AlertPolicies.Create(config.AlertPolicy, context)), config.Concurrency.MaxClipsInFlight, clock)
        {
            Gate = gate,
        };
        var repository = new RepositorySettings(ClipStore.For(config.StateStore), config.StateStore.SpoolPath, config.StateStore.SpoolMaxEvents);
        // Always started (with a store): without rules it deletes nothing but still measures the disks for /health and /metrics.
        var retention = repository.Store is { } store
            ? new Retention.RetentionSettings(config.Retention, store, workers.Storage.Plugin, config.Storage.Plugin.Name,
                loggerFactory.CreateLogger("HomeSec.Retention"), clock)
            : null;
        return new HomeSecSettings(repository, inference, workers, clips, cameras)
        {
            Retention = retention,
        };
    }

    /// <summary>
    /// The rules the clip workflow decides by. Which notifiers keep an outbox is left empty here: the pipeline learns
    /// it from the outboxes the workers started, so the two cannot disagree.
    /// </summary>
    public static WorkflowRules RulesFor(AppConfig config, WorkerPoolSettings workers, IAlertPolicy alertPolicy) => new(
        workers.Storage.PluginName, workers.Filter.PluginName, workers.Vlm?.PluginName,
        workers.Notify.Notifiers.Select(n => n.Name).ToList(), config.Filter.TriggerClasses, alertPolicy, config.Retry,
        new HashSet<string>(StringComparer.Ordinal), ClipSettings.StageDeadlineFor(workers))
    {
        PublicUrl = config.Web.PublicUrl,
        DetectedPhaseNotifiers = [.. config.Notifiers.Where(n => n.Phases.Contains(HomeSec.Core.Alerts.AlertPhases.Detected)).Select(n => n.Name)],
        DetectedOnlyNotifiers = config.Notifiers.Where(n => !n.Phases.Contains(HomeSec.Core.Alerts.AlertPhases.Final)).Select(n => n.Name).ToHashSet(StringComparer.Ordinal),
    };

    private static WorkerPoolSettings WorkersFromConfig(AppConfig config, PluginRegistries registries, PluginContext context, TimeProvider clock)
    {
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
        return new WorkerPoolSettings(
            new StorageStageSettings(registries.Storage.Create(config.Storage.Plugin, context), config.Storage.Plugin.Name, config.Storage.Timeout, config.Concurrency.UploadWorkers),
            new FilterStageSettings(registries.Filters.Create(config.Filter.Plugin, context), config.Filter.Plugin.Name, config.Filter.Timeout, config.Concurrency.FilterWorkers)
            {
                TriggerClasses = config.Filter.TriggerClasses,
                ReuseLiveDetections = config.LiveDetection.Enabled && config.LiveDetection.ReuseForFilter,
            },
            config.Vlm.Plugin is { } vlm ? new VlmStageSettings(registries.Analyzers.Create(vlm, context), vlm.Name, config.Vlm.Timeout, config.Concurrency.VlmWorkers) : null,
            new NotifyStageSettings(notifiers, notifiers.Count == 0 ? TimeSpan.FromSeconds(30) : notifiers.Max(n => n.Timeout) + TimeSpan.FromSeconds(5), config.Concurrency.NotifyWorkers)
            {
                Outbox = config.Outbox,
            })
        {
            Clock = clock,
        };
    }
}
