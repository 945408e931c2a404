using HomeSec.Core.Config.Options;

namespace HomeSec.Core.Inference;

/// <summary>
/// Runs a detection model on one frame: the letterboxed picture at the model's input size as packed RGB24
/// bytes (HWC, <see cref="DetectorModel.FrameLength"/> bytes). Bytes, not the model's float tensor: a quarter of
/// the size in memory and on the wire to another node; whoever runs the model turns them into the tensor.
/// Plugins use it without knowing where the model runs (in HomeSec: the inference actor pool, maybe on another node).
/// </summary>
public interface IDetector
{
    /// <summary>The frame must not be changed until the returned task completes.</summary>
    /// <returns>The candidates scoring at least <paramref name="minConfidence"/> (best class per anchor), before NMS.</returns>
    Task<IReadOnlyList<Detection>> DetectAsync(byte[] rgb, float minConfidence, CancellationToken cancellationToken);
}

/// <summary>What the host gives a plugin that needs a model run: a detector for this model and these settings.</summary>
public interface IInferenceHost
{
    IDetector Detector(DetectorModel model, InferenceOptions options);
}

public enum ExecutionProviderChoice
{
    /// <summary>CUDA when the native GPU runtime is present, else CPU.</summary>
    Auto,
    Cpu,
    Cuda,
}

/// <param name="Workers">Inference actors (each one session) in the pool.</param>
/// <param name="Threads">Intra-op threads of each session.</param>
/// <param name="MaxBatch">At most this many frames in one run (1 for a model with a fixed batch of one).</param>
public sealed record InferenceOptions(
    [property: Option("execution_provider", Default = ExecutionProviderChoice.Auto)] ExecutionProviderChoice Provider,
    [property: Option("inference_workers", Min = 1, Max = 64, Default = 1)] int Workers,
    [property: Option("threads", Min = 1, Max = 256, Default = 2)] int Threads,
    [property: Option("max_batch", Min = 1, Max = 64, Default = 8)] int MaxBatch)
{
    public static InferenceOptions Default { get; } = OptionBinder.Defaults<InferenceOptions>();
}

/// <summary>
/// The options of a plugin that runs a detector model: the host reads them to decide, from the config alone,
/// whether to start the inference pool and with which model.
/// </summary>
public interface IDetectorModelOptions
{
    /// <summary>Null only when the model could not be read (the config then has an error).</summary>
    DetectorModel? Model { get; }

    InferenceOptions Inference { get; }
}
