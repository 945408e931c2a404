namespace HomeSec.Core.Inference;

/// <summary>
/// An <see cref="IDetector"/> over one ONNX session in this process, one frame per run, off the caller's
/// thread. For one-off work outside the daemon's inference pool (<c>homesec cleanup --recheck-model</c>).
/// </summary>
public sealed class SessionDetector(OnnxDetectorSession session) : IDetector, IDisposable
{
    public Task<IReadOnlyList<Detection>> DetectAsync(byte[] rgb, float minConfidence, CancellationToken cancellationToken) =>
        Task.Run(() => session.Detect([rgb], [minConfidence])[0], cancellationToken);

    public void Dispose() => session.Dispose();
}
