using HomeSec.Core.Clips;
using HomeSec.Core.Plugins;

namespace HomeSec.Actors.Cameras;

public static class CameraProtocol
{
    public sealed record GetCamerasHealth
    {
        public static GetCamerasHealth Instance { get; } = new();
    }

    public sealed record CamerasHealth(IReadOnlyDictionary<string, SourceHealth> Cameras);

    /// <summary>Sent by each camera to the manager every few seconds, so health questions never wait on a camera.</summary>
    internal sealed record CameraHealthReport(string CameraName, SourceHealth Health);

    /// <summary>From the camera's watch loop to the camera actor.</summary>
    internal sealed record ClipFound(RecordedClip Clip);

    internal sealed record SourceStopped(Exception? Error);
}
