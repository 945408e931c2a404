using System.Globalization;
using System.Text.RegularExpressions;
using HomeSec.IntegrationTests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>SIGTERM (Docker, systemd) while an RTSP camera runs: the daemon stops its ffmpeg processes and reaps them before it exits.</summary>
public sealed partial class ShutdownSpecs(ITestOutputHelper output) : IDisposable
{
    private const int Runs = 20;
    private readonly DaemonSandbox _sandbox = new();

    [Fact]
    public async Task Should_leave_no_ffmpeg_behind_when_the_daemon_gets_sigterm_at_varied_moments_twenty_times()
    {
        // Given
        using var server = RtspServer.Start("motion=still:2,move:2");
        var url = server.Url("motion", password: "hunter2");
        _sandbox.ExtraEnvironment["DRIVEWAY_RTSP_URL"] = url;
        _sandbox.EditConfig(config => CamerasSection().Replace(config, $"""
            cameras:
              - name: driveway
                source:
                  type: rtsp
                  config:
                    rtsp_url_env: DRIVEWAY_RTSP_URL
                    output_dir: {Path.Combine(_sandbox.Root, "recordings")}
                    pre_roll_s: 1
                    stop_delay_s: 1
            storage:
            """));
        var marker = $"127.0.0.1:{server.Port.ToString(CultureInfo.InvariantCulture)}";
        var random = new Random(Environment.TickCount);
        var runsWithFfmpegAtSigterm = 0;
        var left = new List<string>();

        for (var run = 0; run < Runs; run++)
        {
            // When
            await using var daemon = _sandbox.StartDaemon();
            // Even runs: a random moment from the start (maybe before any ffmpeg). Odd runs: a random moment after
            // the camera's ffmpeg processes are up, however slow the machine is to start the daemon.
            var moment = TimeSpan.FromMilliseconds(random.Next(200, 1500));
            if (run % 2 == 1)
            {
                await Eventually.WaitForAsync(() => FfmpegProcesses(marker).Count > 0, TimeSpan.FromSeconds(60), "the camera's ffmpeg running", () => daemon.Output);
            }

            await Task.Delay(moment);
            if (FfmpegProcesses(marker).Count > 0)
            {
                runsWithFfmpegAtSigterm++;
            }

            var exitCode = await daemon.TerminateAsync(TimeSpan.FromSeconds(40));

            // Then
            // 143: SIGTERM came before .NET had its handler in place (nothing was started yet); the ffmpeg check below covers it.
            Assert.True(exitCode is 0 or 143, $"run {run + 1}: exit code {exitCode}{Environment.NewLine}{daemon.Output}");
            left.AddRange(FfmpegProcesses(marker).Select(p => $"run {run + 1} ({moment.TotalMilliseconds} ms{(run % 2 == 1 ? " after ffmpeg started" : "")}): {p}"));
        }

        output.WriteLine($"{runsWithFfmpegAtSigterm} of {Runs} runs had ffmpeg running at SIGTERM; left behind: {left.Count}");
        Assert.Empty(left);
        Assert.True(runsWithFfmpegAtSigterm >= Runs / 2, $"only {runsWithFfmpegAtSigterm} of {Runs} runs had an ffmpeg to stop");
    }

    public void Dispose() => _sandbox.Dispose();

    /// <summary>ffmpeg processes reading from this spec's RTSP server, with their state (T: stopped).</summary>
    private static List<string> FfmpegProcesses(string marker)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains("ffmpeg", StringComparison.Ordinal) && cmdline.Contains(marker, StringComparison.Ordinal))
                {
                    var state = File.ReadAllText(Path.Combine(dir, "stat")).Split(' ')[2];
                    found.Add($"pid {Path.GetFileName(dir)} state {state}");
                }
            }
            catch (IOException)
            {
                // gone meanwhile
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    [GeneratedRegex(@"cameras:.*?\nstorage:", RegexOptions.Singleline)]
    private static partial Regex CamerasSection();
}
