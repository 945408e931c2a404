using System.ComponentModel;
using System.Diagnostics;

namespace HomeSec.Core.Plugins.Sources.Rtsp;

/// <summary>
/// A long-running ffmpeg whose stdout the source reads. Disposing kills it (SIGKILL) and waits for it, so it
/// is never orphaned while this process lives. A plain kill, not of the process tree: ffmpeg has no children,
/// and the tree kill stops each process (SIGSTOP) before it kills it, so a daemon that exits in between left
/// a stopped ffmpeg behind for good, holding the camera's connection and its URL in argv; if this process dies first, ffmpeg's next
/// write to the closed pipe ends it (SIGPIPE). Its stderr is kept (last lines, redacted) for error messages.
/// </summary>
internal sealed class FfmpegChild : IAsyncDisposable
{
    private const int KeptErrorLines = 20;

    private readonly Process _process;
    private readonly UrlRedactor _redactor;
    private readonly Queue<string> _errorLines = new();

    private FfmpegChild(Process process, UrlRedactor redactor)
    {
        _process = process;
        _redactor = redactor;
    }

    public Stream Output => _process.StandardOutput.BaseStream;

    public int ProcessId { get; private set; }

    /// <summary>The last lines ffmpeg printed to stderr, credentials removed.</summary>
    public string ErrorTail
    {
        get
        {
            lock (_errorLines)
            {
                return string.Join(" | ", _errorLines);
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static FfmpegChild Start(string executable, IReadOnlyList<string> arguments, UrlRedactor redactor)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        var child = new FfmpegChild(process, redactor);
        process.ErrorDataReceived += (_, e) => child.KeepErrorLine(e.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException($"cannot start {executable}: {ex.Message} (is ffmpeg installed and on PATH?)");
        }

        child.ProcessId = process.Id;
        process.StandardInput.Close();
        process.BeginErrorReadLine();
        return child;
    }

    public void Kill()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
        catch (Win32Exception)
        {
            // exiting right now
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            // The kill was sent; a process stuck in the kernel is reaped when it leaves.
        }

        _process.Dispose();
    }

    private void KeepErrorLine(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        var redacted = _redactor.Redact(line);
        lock (_errorLines)
        {
            _errorLines.Enqueue(redacted);
            while (_errorLines.Count > KeptErrorLines)
            {
                _errorLines.Dequeue();
            }
        }
    }
}
