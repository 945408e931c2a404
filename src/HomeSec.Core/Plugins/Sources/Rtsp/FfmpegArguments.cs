using System.Globalization;

namespace HomeSec.Core.Plugins.Sources.Rtsp;

/// <summary>The ffmpeg command lines of the source. They hold the camera URL: never log them unredacted.</summary>
internal static class FfmpegArguments
{
    /// <summary>Small raw frames of the detect stream on stdout: gray, or RGB24 when live detection needs colour.</summary>
    public static List<string> DetectFrames(RtspSourceOptions options, string url, bool colour = false)
    {
        var arguments = Input(options, url, options.HardwareDecode);
        var fps = options.DetectFps.ToString(CultureInfo.InvariantCulture);
        arguments.AddRange(["-an", "-sn", "-vf", $"fps={fps},scale={options.DetectWidth}:{options.DetectHeight}", "-pix_fmt", colour ? "rgb24" : "gray", "-f", "rawvideo", "pipe:1"]);
        return arguments;
    }

    /// <summary>
    /// The main stream's video, copied (no re-encode) as MPEG-TS on stdout. The muxer's default 0.7 s
    /// delay and output buffering would make packets arrive late, and the pre-roll cut by arrival time
    /// would start that much too early: no mux delay, a flush per packet.
    /// </summary>
    public static List<string> MainStreamCopy(RtspSourceOptions options) =>
        [.. Input(options, options.MainUrl, hardwareDecode: null), "-map", "0:v:0", "-c", "copy",
            "-muxdelay", "0", "-muxpreload", "0", "-flush_packets", "1", "-f", "mpegts", "pipe:1"];

    /// <summary>A finished <c>.ts</c> recording to MP4, stream copy.</summary>
    public static List<string> Remux(string tsPath, string mp4Path) =>
        ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", tsPath, "-map", "0", "-c", "copy", "-movflags", "+faststart", "-f", "mp4", mp4Path];

    private static List<string> Input(RtspSourceOptions options, string url, string? hardwareDecode)
    {
        var arguments = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin" };
        arguments.AddRange(options.FfmpegFlags);
        if (url.StartsWith("rtsp", StringComparison.OrdinalIgnoreCase))
        {
            var microseconds = ((long)options.IoTimeout.TotalMicroseconds).ToString(CultureInfo.InvariantCulture);
            arguments.AddRange(["-rtsp_transport", "tcp", "-timeout", microseconds]);
        }

        if (hardwareDecode is not null)
        {
            arguments.AddRange(["-hwaccel", hardwareDecode]);
        }

        arguments.AddRange(["-i", url]);
        return arguments;
    }
}
