using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using HomeSec.Core.Media;

namespace HomeSec.Core.Plugins.Filters.Yolo;

/// <summary>
/// Decodes a clip with ffmpeg at <c>sample_fps</c> frames per second of video, scaled and letterboxed
/// (gray 114) to the model's input size, as raw RGB24 over a pipe; each frame becomes the model's CHW
/// float tensor in a buffer the caller owns. ffmpeg is killed on cancel and when the sampler is disposed
/// before the end (early exit), so a broken clip never leaves a process or a hang behind.
/// </summary>
public sealed class FrameSampler : IAsyncDisposable
{
    private const int StderrLimit = 4096;
    private readonly Process _process;
    private readonly Stream _frames;
    private readonly int _frameLength;
    private readonly StringBuilder _stderr = new();
    private readonly Task _readStderr;
    private readonly string _clipPath;

    private FrameSampler(Process process, Letterbox letterbox, double sampleFps, string clipPath)
    {
        _process = process;
        _frames = process.StandardOutput.BaseStream;
        Letterbox = letterbox;
        SampleFps = sampleFps;
        _clipPath = clipPath;
        _frameLength = letterbox.InputWidth * letterbox.InputHeight * 3;
        _readStderr = ReadStderrAsync();
    }

    public Letterbox Letterbox { get; }

    public double SampleFps { get; }

    /// <summary>Frames read so far.</summary>
    public int FramesRead { get; private set; }

    /// <summary>
    /// Where in the clip frame <paramref name="index"/> was taken. With <c>round=up</c> ffmpeg's fps filter
    /// puts the source frame at exactly index / fps (or the last one before it) in slot index.
    /// </summary>
    public TimeSpan TimeOf(int index) => TimeSpan.FromSeconds(index / SampleFps);

    public static async Task<FrameSampler> StartAsync(string clipPath, double sampleFps, int inputWidth, int inputHeight, CancellationToken cancellationToken)
    {
        if (!File.Exists(clipPath))
        {
            throw new FileNotFoundException($"clip file '{clipPath}' does not exist", clipPath);
        }

        // The ffmpeg command does not depend on the source size, so ffmpeg starts decoding while ffprobe reads it.
        var process = Start("ffmpeg", FfmpegArguments(clipPath, sampleFps, inputWidth, inputHeight));
        try
        {
            var (width, height) = await ProbeSizeAsync(clipPath, cancellationToken);
            return new FrameSampler(process, Letterbox.For(width, height, inputWidth, inputHeight), sampleFps, clipPath);
        }
        catch
        {
            KillQuietly(process);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            process.Dispose();
            throw;
        }
    }

    /// <summary>The ffmpeg command line: decode, sample at <paramref name="sampleFps"/>, letterbox to the input size, raw RGB24 on stdout.</summary>
    public static IReadOnlyList<string> FfmpegArguments(string clipPath, double sampleFps, int inputWidth, int inputHeight)
    {
        var fps = sampleFps.ToString("0.######", CultureInfo.InvariantCulture);
        var filter = $"fps={fps}:round=up,scale={inputWidth}:{inputHeight}:force_original_aspect_ratio=decrease:flags=bilinear,format=rgb24," +
                     $"pad={inputWidth}:{inputHeight}:(ow-iw)/2:(oh-ih)/2:color=0x727272";
        return
        [
            "-hide_banner", "-loglevel", "error", "-nostdin",
            .. FfmpegInput.Arguments(clipPath),
            "-an", "-sn", "-dn",
            "-vf", filter,
            "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
        ];
    }

    /// <summary>Reads the next letterboxed frame into <paramref name="rgb"/> (RGB24 bytes); false at the end of the clip.</summary>
    public async ValueTask<bool> ReadFrameAsync(byte[] rgb, CancellationToken cancellationToken)
    {
        await using var kill = cancellationToken.Register(Kill);
        var filled = 0;
        while (filled < _frameLength)
        {
            var read = await _frames.ReadAsync(rgb.AsMemory(filled, _frameLength - filled), cancellationToken);
            if (read == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // A partial last frame (ffmpeg stopped mid-write) is not a frame.
                return false;
            }

            filled += read;
        }

        FramesRead++;
        return true;
    }

    /// <summary>After the last frame: waits for ffmpeg and throws when it failed (a corrupt or truncated clip).</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await using var kill = cancellationToken.Register(Kill);
        await _process.WaitForExitAsync(cancellationToken);
        await _readStderr;
        if (_process.ExitCode != 0)
        {
            throw new InvalidDataException($"ffmpeg could not decode '{_clipPath}' (exit code {_process.ExitCode}): {StderrText()}");
        }

        if (FramesRead == 0)
        {
            throw new InvalidDataException($"ffmpeg gave no frame from '{_clipPath}': {StderrText()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
            await _readStderr.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // the process was told to die; nothing more to wait for
        }

        _process.Dispose();
    }

    private static Process Start(string executable, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException($"cannot start {executable}: {ex.Message} (is ffmpeg installed and on PATH?)", ex);
        }

        return process;
    }

    private static async Task<(int Width, int Height)> ProbeSizeAsync(string clipPath, CancellationToken cancellationToken)
    {
        using var process = Start("ffprobe",
            ["-v", "error", .. FfmpegInput.Arguments(clipPath), "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0:s=x"]);
        await using var kill = cancellationToken.Register(() => KillQuietly(process));
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await process.WaitForExitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        var text = (await output).Trim();
        var parts = text.Split('x', StringSplitOptions.TrimEntries);
        if (process.ExitCode != 0 || parts.Length < 2
            || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var width)
            || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var height)
            || width <= 0 || height <= 0)
        {
            var reason = (await errors).Trim();
            throw new InvalidDataException($"ffprobe found no video stream in '{clipPath}' (corrupt or truncated clip?): {(reason.Length > 0 ? reason : text)}");
        }

        return (width, height);
    }

    private async Task ReadStderrAsync()
    {
        var buffer = new char[1024];
        int read;
        while ((read = await _process.StandardError.ReadAsync(buffer, CancellationToken.None)) > 0)
        {
            lock (_stderr)
            {
                _stderr.Append(buffer, 0, read);
                if (_stderr.Length > StderrLimit)
                {
                    _stderr.Remove(0, _stderr.Length - StderrLimit);
                }
            }
        }
    }

    private string StderrText()
    {
        lock (_stderr)
        {
            return _stderr.ToString().Trim();
        }
    }

    private void Kill() => KillQuietly(_process);

    private static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // not started or already exited
        }
    }
}
