namespace HomeSec.Core.Plugins;

public enum PluginKind
{
    Source,
    Filter,
    Analyzer,
    Storage,
    Notifier,
    AlertPolicy,
}

/// <summary>A plugin chosen by the config: its name and its validated, typed options.</summary>
public sealed record PluginSpec(PluginKind Kind, string Name, object Options)
{
    /// <summary>
    /// Per-camera options by camera name, for a plugin registered with a per-camera reader (the alert policy's
    /// <c>per_camera_alert.{camera}</c>); opaque to the host, which only hands them back to the plugin.
    /// </summary>
    public IReadOnlyDictionary<string, object> PerCamera { get; init; } = new Dictionary<string, object>(StringComparer.Ordinal);
}

/// <summary>What a plugin may use from its host. No actor types: plugins test without an actor system.</summary>
/// <param name="CameraName">The camera a source plugin is built for.</param>
public sealed record PluginContext(Microsoft.Extensions.Logging.ILoggerFactory LoggerFactory, TimeProvider Clock, string? CameraName = null)
{
    /// <summary>The alert gate: a notifier that takes commands (mqtt) reads and sets the armed mode through it.</summary>
    public Alerts.Gate.AlertGate? Gate { get; init; }

    /// <summary>Every configured camera, e.g. for a notifier that announces one entity per camera (Home Assistant discovery).</summary>
    public IReadOnlyList<string> CameraNames { get; init; } = [];

    /// <summary><c>filter.trigger_classes</c>: a filter may stop looking once it has seen one of them.</summary>
    public IReadOnlyCollection<string> TriggerClasses { get; init; } = [];

    /// <summary>Where model runs go (in HomeSec: the inference actor pool); null where the host offers none.</summary>
    public Inference.IInferenceHost? Inference { get; init; }

    /// <summary>Where sources that decode frames offer the latest one (the web UI's live view); null where nobody looks.</summary>
    public Media.LiveFrames? LiveFrames { get; init; }

    /// <summary>live_detection: the filter's model for sources that look at frames while recording; null: off.</summary>
    public Alerts.Live.ILiveDetector? LiveDetector { get; init; }

    public TimeSpan LiveDetectionInterval { get; init; } = TimeSpan.FromSeconds(0.25);
}
