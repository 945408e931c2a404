using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Actor.Setup;
using HomeSec.Actors.Cameras;
using HomeSec.Actors.Clips;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Repository;
using HomeSec.Actors.Workers;
using HomeSec.Actors.Workers.Outbox;
using HomeSec.Core.Clips;
using HomeSec.Core.Results;
using Prometheus;

namespace HomeSec.Actors.Metrics;

/// <summary>
/// Every metric HomeSec exports (<c>GET /metrics</c>, Prometheus), and the few calls that record them. Actors and
/// workers call the event methods as things happen (<see cref="StageFinished"/>, <see cref="ClipFinished"/>, …);
/// the <c>…Observed</c> methods set the gauges from what the actor tree reports when Prometheus scrapes.
/// Plugins never see this class: their figures reach it through the actors (e.g. <c>SourceHealth.Counters</c>).
/// prometheus-net escapes label values and keeps each series thread-safe, so any thread may record.
/// <para>
/// A new part of the tree adds its metrics the same way: a field made with <c>_factory</c> (units in the name:
/// <c>_seconds</c>, <c>_bytes</c>, counters ending in <c>_total</c>) and one method named after what happened or
/// was observed (retention: <see cref="RetentionObserved"/>).
/// </para>
/// </summary>
public sealed class HomeSecMetrics
{
    private static readonly ConditionalWeakTable<ActorSystem, HomeSecMetrics> Detached = new();

    private readonly IMetricFactory _factory;
    private readonly Histogram _stageDuration;
    private readonly Histogram _inferenceBatchDuration;
    private readonly Counter _inferenceBatches;
    private readonly Counter _inferenceFrames;
    private readonly Counter _clips;
    private readonly Counter _alerts;
    private readonly Counter _notifications;
    private readonly Gauge _notifierConnected;
    private readonly Gauge _up;
    private readonly Gauge _clipsInFlight;
    private readonly Gauge _clipsWaiting;
    private readonly Gauge _clipsWaitingForStorage;
    private readonly Gauge _sourceHealthy;
    private readonly Gauge _outboxWaiting;
    private readonly Counter _outboxDropped;
    private readonly Gauge _storageHealthy;
    private readonly Counter _uploadsFailed;
    private readonly Gauge _uploadsConsecutiveFailures;
    private readonly Gauge _stateStoreOnline;
    private readonly Gauge _diskFree;
    private readonly Gauge _diskTotal;
    private readonly Gauge _localClipBytes;
    private readonly Counter _retentionDeleted;
    private readonly Counter _retentionFailures;
    private readonly Gauge _stateStoreSpooled;
    private readonly Counter _stateStoreDropped;

    /// <param name="registry">The daemon passes prometheus-net's default registry, which also holds the process and .NET runtime metrics.</param>
    public HomeSecMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        _factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _stageDuration = _factory.CreateHistogram("homesec_stage_duration_seconds", "run time of one stage job (upload, filter, vlm, notify), success or failure",
            ["stage"], new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.05, 2, 13) });
        _inferenceBatchDuration = _factory.CreateHistogram("homesec_inference_batch_duration_seconds", "run time of one model run (a batch of frames)",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.005, 2, 12) });
        _inferenceBatches = _factory.CreateCounter("homesec_inference_batches_total", "model runs");
        _inferenceFrames = _factory.CreateCounter("homesec_inference_frames_total", "frames run through the model");
        _clips = _factory.CreateCounter("homesec_clips_total", "clips finished, by camera and final status (done, error)", ["camera", "status"]);
        _alerts = _factory.CreateCounter("homesec_alerts_total", "clips the alert policy decided to notify about", ["camera"]);
        _notifications = _factory.CreateCounter("homesec_notifications_total", "deliveries to a notifier, by result (sent, failed); retries and outbox deliveries count too",
            ["notifier", "result"]);
        _notifierConnected = _factory.CreateGauge("homesec_notifier_connected", "1 while the notifier is connected to its server (only notifiers that can tell: mqtt)", ["notifier"]);
        _factory.CreateGauge("homesec_build_info", "always 1; the version label says what runs", ["version"]).WithLabels(BuildInfo.Version).Set(1);
        _up = _factory.CreateGauge("homesec_up", "1 when /health says ok (sources, storage, state store); 0 when degraded or the actor system does not answer");
        _clipsInFlight = _factory.CreateGauge("homesec_clips_in_flight", "clips being processed");
        _clipsWaiting = _factory.CreateGauge("homesec_clips_waiting", "clips waiting for a free slot");
        _clipsWaitingForStorage = _factory.CreateGauge("homesec_clips_waiting_for_storage", "clips analysed and alerted whose upload is retried with backoff");
        _sourceHealthy = _factory.CreateGauge("homesec_source_healthy", "1 when the camera's source received data recently", ["camera"]);
        _outboxWaiting = _factory.CreateGauge("homesec_notifier_outbox_waiting", "alerts waiting for a notifier that is down", ["notifier"]);
        _outboxDropped = _factory.CreateCounter("homesec_notifier_outbox_dropped_total", "alerts dropped because a notifier's outbox was full", ["notifier"]);
        _storageHealthy = _factory.CreateGauge("homesec_storage_healthy", "1 while uploads succeed; 0 while they fail (retried until stored)");
        _uploadsFailed = _factory.CreateCounter("homesec_uploads_failed_total", "failed upload attempts (each is retried)");
        _uploadsConsecutiveFailures = _factory.CreateGauge("homesec_uploads_consecutive_failures", "failed upload attempts since the last stored clip");
        _stateStoreOnline = _factory.CreateGauge("homesec_state_store_online", "1 when events go straight to the database");
        _stateStoreSpooled = _factory.CreateGauge("homesec_state_store_spooled_events", "events waiting on local disk for the database");
        _stateStoreDropped = _factory.CreateCounter("homesec_state_store_dropped_events_total", "events lost because the spool was full");
        _diskFree = _factory.CreateGauge("homesec_disk_free_bytes", "free space (for an unprivileged writer) of each filesystem holding clips, at the last look", ["mount_point"]);
        _diskTotal = _factory.CreateGauge("homesec_disk_size_bytes", "size of each filesystem holding clips", ["mount_point"]);
        _localClipBytes = _factory.CreateGauge("homesec_local_clip_bytes", "bytes of local clip files per camera, measured at the last retention pass", ["camera"]);
        _retentionDeleted = _factory.CreateCounter("homesec_retention_deleted_total", "clip copies deleted by retention, by reason (age, size, floor, floor_critical, source_files, recheck)", ["reason"]);
        _retentionFailures = _factory.CreateCounter("homesec_retention_deletion_failures_total", "deletions that failed (tried again at the next pass)");
    }

    /// <summary>What the retention actor last measured and deleted (since start).</summary>
    public void RetentionObserved(Retention.RetentionProtocol.RetentionStatus retention)
    {
        foreach (var volume in retention.Volumes)
        {
            _diskFree.WithLabels(volume.MountPoint).Set(volume.FreeBytes);
            _diskTotal.WithLabels(volume.MountPoint).Set(volume.TotalBytes);
        }

        foreach (var (camera, bytes) in retention.LocalBytesPerCamera)
        {
            _localClipBytes.WithLabels(camera).Set(bytes);
        }

        foreach (var (reason, count) in retention.DeletedByReason)
        {
            _retentionDeleted.WithLabels(reason).IncTo(count);
        }

        _retentionFailures.IncTo(retention.DeletionFailures);
    }

    public CollectorRegistry Registry { get; }

    /// <summary>
    /// The metrics of <paramref name="system"/>: those its setup carries (<see cref="HomeSecMetricsSetup"/>, what the
    /// daemon adds), else a set of its own that nothing exports (actor tests need none).
    /// </summary>
    public static HomeSecMetrics Of(ActorSystem system) =>
        system.Settings.Setup.Get<HomeSecMetricsSetup>() is { HasValue: true } setup
            ? setup.Value.Metrics
            : Detached.GetValue(system, _ => new HomeSecMetrics(Prometheus.Metrics.NewCustomRegistry()));

    /// <summary>A stage job ended (success or failure) after running for <paramref name="duration"/> (its time in the queue not counted).</summary>
    public void StageFinished(Stage stage, TimeSpan duration) => _stageDuration.WithLabels(stage.ToWireName()).Observe(duration.TotalSeconds);

    /// <param name="duration">Null when the run failed (its time is not known, and a 0 would skew the histogram).</param>
    public void InferenceBatchFinished(int frames, TimeSpan? duration)
    {
        if (duration is { } runTime)
        {
            _inferenceBatchDuration.Observe(runTime.TotalSeconds);
        }

        _inferenceBatches.Inc();
        _inferenceFrames.Inc(frames);
    }

    /// <summary>The pipeline is done with a clip: its final status (done, error).</summary>
    public void ClipFinished(string camera, ClipStatus status) => _clips.WithLabels(camera, status.ToWireName()).Inc();

    /// <summary>The alert policy decided to notify about a clip of <paramref name="camera"/>.</summary>
    public void AlertRaised(string camera) => _alerts.WithLabels(camera).Inc();

    public void NotificationFinished(string notifier, bool delivered) => _notifications.WithLabels(notifier, delivered ? "sent" : "failed").Inc();

    /// <summary>What /health says overall; false also when the actor system did not answer.</summary>
    public void UpObserved(bool healthy) => _up.Set(healthy ? 1 : 0);

    public void CamerasObserved(CameraProtocol.CamerasHealth cameras)
    {
        foreach (var (camera, health) in cameras.Cameras)
        {
            _sourceHealthy.WithLabels(camera).Set(health.Healthy ? 1 : 0);
            foreach (var (counter, value) in health.Counters)
            {
                // A source's own counters (e.g. ftp_failed_logins) become homesec_source_{name}_total{camera}.
                _factory.CreateCounter($"homesec_source_{counter}_total", $"{counter.Replace('_', ' ')} of the camera's source since start", ["camera"])
                    .WithLabels(camera).IncTo(value);
            }
        }
    }

    public void ClipsObserved(ClipProtocol.ClipsInFlight clips)
    {
        _clipsInFlight.Set(clips.Running.Count);
        _clipsWaiting.Set(clips.Waiting);
        _clipsWaitingForStorage.Set(clips.WaitingForStorage.Count);
    }

    public void StoreObserved(RepositoryProtocol.StoreHealth store)
    {
        _stateStoreOnline.Set(store.Mode == "online" ? 1 : 0);
        _stateStoreSpooled.Set(store.Spooled);
        _stateStoreDropped.IncTo(store.Dropped);
    }

    public void StagesObserved(IReadOnlyDictionary<string, WorkerProtocol.StageHealth> stages)
    {
        var upload = stages.GetValueOrDefault("upload");
        _storageHealthy.Set(upload is null || upload.Healthy ? 1 : 0);
        if (upload is not null)
        {
            _uploadsFailed.IncTo(upload.Failed);
            _uploadsConsecutiveFailures.Set(upload.ConsecutiveFailures);
        }
    }

    public void OutboxesObserved(IEnumerable<OutboxProtocol.OutboxStatus> outboxes)
    {
        foreach (var outbox in outboxes)
        {
            _outboxWaiting.WithLabels(outbox.Notifier).Set(outbox.Waiting);
            _outboxDropped.WithLabels(outbox.Notifier).IncTo(outbox.Dropped);
            if (outbox.Connected is { } connected)
            {
                _notifierConnected.WithLabels(outbox.Notifier).Set(connected ? 1 : 0);
            }
        }
    }
}

/// <summary>Hands the daemon's <see cref="HomeSecMetrics"/> to every actor of the system (see <see cref="HomeSecMetrics.Of"/>).</summary>
public sealed class HomeSecMetricsSetup(HomeSecMetrics metrics) : Setup
{
    public HomeSecMetrics Metrics { get; } = metrics;
}
