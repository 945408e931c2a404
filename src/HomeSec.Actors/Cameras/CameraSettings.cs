namespace HomeSec.Actors.Cameras;

/// <summary><c>cameras</c>: each camera's source and how its actor is restarted after a failure.</summary>
public sealed record CameraSettings(IReadOnlyList<CameraSource> Sources)
{
    public CameraRestartBackoff Backoff { get; init; } = CameraRestartBackoff.Default;

    /// <summary>The camera sources' watch loops, which shutdown stops and waits for.</summary>
    public RunningSources RunningSources { get; init; } = new();
}
