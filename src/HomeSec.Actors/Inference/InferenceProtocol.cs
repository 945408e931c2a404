using HomeSec.Core.Inference;

namespace HomeSec.Actors.Inference;

/// <summary>Messages of the inference pool (<c>/user/inference</c>).</summary>
public static class InferenceProtocol
{
    /// <summary>Run the model on one frame (the model's CHW float tensor). The reply goes to the sender.</summary>
    public sealed record Detect(long RequestId, float[] Frame, float MinConfidence);

    /// <summary>The reply to <see cref="Detect"/>: the candidates, or the error of the run as a value.</summary>
    public sealed record DetectResult(long RequestId, IReadOnlyList<Detection>? Detections, string? Error);

    /// <summary>Asks one inference actor of the pool how it runs; answered with <see cref="InferenceStatus"/>.</summary>
    public sealed record GetInferenceStatus
    {
        public static GetInferenceStatus Instance { get; } = new();
    }

    /// <param name="Enabled">False when no filter uses the pool.</param>
    /// <param name="Provider">The execution provider in use: cpu or cuda.</param>
    /// <param name="LastBatchMs">Wall time of the last run (a batch).</param>
    public sealed record InferenceStatus(bool Enabled, string? Model, string? Provider, int Workers, long Batches, long Frames, double LastBatchMs, int MaxBatch)
    {
        public static InferenceStatus Disabled { get; } = new(false, null, null, 0, 0, 0, 0, 0);
    }
}
