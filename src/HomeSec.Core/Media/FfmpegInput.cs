namespace HomeSec.Core.Media;

/// <summary>
/// The input side of every ffmpeg and ffprobe command on a file HomeSec did not write itself (camera
/// uploads, watched folders). A file's name says nothing about its content: without limits ffmpeg
/// would open an HLS playlist named <c>.mp4</c> and read (or fetch) whatever it lists, the classic
/// ffmpeg local-file disclosure. So only video container demuxers are allowed (no hls, concat, image
/// sequences or other playlist-like formats), only the <c>file</c> protocol (no http, no pipes), and the
/// path is given as a <c>file:</c> URL so a name such as <c>http:x.mp4</c> cannot pick a protocol.
/// </summary>
public static class FfmpegInput
{
    /// <summary>The demuxers a camera clip may use: MP4/QuickTime family, Matroska/WebM, MPEG-TS, AVI.</summary>
    public const string VideoFormatWhitelist = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,mpegts,avi";

    public const string ProtocolWhitelist = "file";

    /// <summary>The input options and <c>-i</c> for <paramref name="path"/>; put other input options (e.g. <c>-ss</c>) before them.</summary>
    public static IReadOnlyList<string> Arguments(string path) =>
        ["-protocol_whitelist", ProtocolWhitelist, "-format_whitelist", VideoFormatWhitelist, "-i", "file:" + Path.GetFullPath(path)];
}
