using HomeSec.Core.Config;
using HomeSec.Core.Inference;

namespace HomeSec.Actors.Inference;

/// <summary>The one model the inference pool runs and how (<c>inference_workers</c>, threads, batch size, provider).</summary>
public sealed record InferencePoolSettings(DetectorModel Model, InferenceOptions Options);

/// <summary>
/// <c>inference</c>: whether the inference pool starts and what it runs, decided once from the filter's options (and the
/// cluster's roles), before any plugin is built; the plugins only get the pool's <see cref="Client"/>.
/// </summary>
/// <param name="Pool">Null: the filter runs no model (no pool, no router).</param>
public sealed record InferenceSettings(InferencePoolSettings? Pool)
{
    /// <summary>What filter plugins send frames through; bound to the pool (or the cluster's router) once it has started.</summary>
    public InferenceClient Client { get; } = new(Pool?.Model);

    /// <summary>
    /// Set on a cluster's NVR: frames go through the inference router to the inference nodes. Null outside a cluster and on
    /// an inference-only node, where frames (its own or other nodes') go straight to the local pool.
    /// </summary>
    public ClusterRoutingSettings? Routing { get; init; }

    /// <summary>False on a cluster's NVR without the inference role and with <c>local_fallback: false</c>: the model never runs here.</summary>
    public bool StartsLocalPool { get; init; } = true;

    /// <summary>Set on a cluster node with the inference role and a <c>frame_port</c>: <c>/user/frame-channel</c> takes other nodes' frames for the pool.</summary>
    public Frames.FrameChannelSettings? FrameChannel { get; init; }

    public static InferenceSettings Off => new((InferencePoolSettings?)null);

    /// <summary>A filter whose options name a detector model (<c>yolo</c>) gets the pool; any other filter none.</summary>
    public static InferenceSettings For(FilterConfig filter) => For(filter, ClusterConfig.Disabled);

    public static InferenceSettings For(FilterConfig filter, ClusterConfig cluster)
    {
        if (filter.Plugin.Options is not IDetectorModelOptions { Model: { } model } options)
        {
            return Off;
        }

        var settings = new InferenceSettings(new InferencePoolSettings(model, options.Inference));
        if (cluster.OffersInference && cluster.FramePort > 0)
        {
            settings = settings with { FrameChannel = new Frames.FrameChannelSettings(cluster.Hostname, cluster.FramePort, cluster.Tls, model.FrameLength) };
        }

        return cluster.Enabled && cluster.RunsNvr
            ? settings with
            {
                Routing = new ClusterRoutingSettings(cluster.RequestTimeout, cluster.LocalFallback) { Tls = cluster.Tls },
                StartsLocalPool = cluster.LocalFallback || cluster.OffersInference,
            }
            : settings;
    }
}
