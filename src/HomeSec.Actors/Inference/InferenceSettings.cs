using HomeSec.Core.Config;
using HomeSec.Core.Inference;

namespace HomeSec.Actors.Inference;

/// <summary>The one model the inference pool runs and how (<c>inference_workers</c>, threads, batch size, provider).</summary>
public sealed record InferencePoolSettings(DetectorModel Model, InferenceOptions Options);

/// <summary>
/// <c>inference</c>: whether the inference pool starts and what it runs, decided once from the filter's options,
/// before any plugin is built; the plugins only get the pool's <see cref="Client"/>.
/// </summary>
/// <param name="Pool">Null: no pool is started (the filter runs no model).</param>
public sealed record InferenceSettings(InferencePoolSettings? Pool)
{
    /// <summary>What filter plugins send frames through; bound to the pool once it has started.</summary>
    public InferenceClient Client { get; } = new(Pool?.Model);

    public static InferenceSettings Off => new((InferencePoolSettings?)null);

    /// <summary>A filter whose options name a detector model (<c>yolo</c>) gets the pool; any other filter none.</summary>
    public static InferenceSettings For(FilterConfig filter) =>
        filter.Plugin.Options is IDetectorModelOptions { Model: { } model } options
            ? new InferenceSettings(new InferencePoolSettings(model, options.Inference))
            : Off;
}
