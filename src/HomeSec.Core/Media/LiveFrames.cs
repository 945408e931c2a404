using System.Collections.Concurrent;

namespace HomeSec.Core.Media;

/// <summary>One frame of a camera's detect stream (what motion detection sees): gray (1 channel) or RGB24 (3, with live detection).</summary>
public sealed record LiveFrame(byte[] Pixels, int Width, int Height, DateTimeOffset At, int Channels = 1);

/// <summary>
/// The latest detect-stream frame of each camera that decodes one (RTSP), for the web UI's live tiles. A source
/// offers a copy at most once a second, so the cost is one small copy per second per camera and no extra
/// connection to the camera (many allow only two or three).
/// </summary>
public sealed class LiveFrames
{
    public static readonly TimeSpan OfferInterval = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, LiveFrame> _latest = new(StringComparer.Ordinal);

    /// <summary>True when the camera's last frame is older than <see cref="OfferInterval"/> (a copy is worth making).</summary>
    public bool Wants(string camera, DateTimeOffset now) => !_latest.TryGetValue(camera, out var frame) || now - frame.At >= OfferInterval;

    public void Offer(string camera, ReadOnlySpan<byte> pixels, int width, int height, DateTimeOffset at, int channels = 1) =>
        _latest[camera] = new LiveFrame(pixels[..(width * height * channels)].ToArray(), width, height, at, channels);

    public LiveFrame? Latest(string camera) => _latest.GetValueOrDefault(camera);
}
