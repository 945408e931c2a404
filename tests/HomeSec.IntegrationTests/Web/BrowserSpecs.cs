using System.Diagnostics;
using HomeSec.IntegrationTests.TestSupport;
using HomeSec.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Web;

/// <summary>
/// The web UI in a real browser: Debian's headless Chromium driven by Playwright (tests/ui, npm <c>playwright-core</c>)
/// against a running daemon with a watched folder and a synthetic RTSP camera. Screenshots land in tests/ui/artifacts.
/// </summary>
public sealed class BrowserSpecs : IAsyncLifetime
{
    private const string Password = "browser-test-password";
    private static readonly string UiFolder = Path.Combine(RepoPaths.Root, "tests", "ui");
    private DaemonSandbox _sandbox = null!;
    private string _clip = null!;

    public async Task InitializeAsync()
    {
        _sandbox = new DaemonSandbox();
        _clip = Path.Combine(_sandbox.Root, "source.mp4");
        await Ffmpeg.MakeTestClipAsync(_clip, seconds: 4, width: 640, height: 360);
    }

    public Task DisposeAsync()
    {
        _sandbox.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Should_log_in_see_a_new_clip_arrive_play_it_filter_watch_a_live_tile_and_log_out_in_chromium()
    {
        // Given a daemon with a watched folder and an RTSP camera, and a user
        Assert.True(File.Exists("/usr/bin/chromium"), "Debian's chromium is not installed (apt-get install chromium; .ci/run does)");
        Assert.True(Directory.Exists(Path.Combine(UiFolder, "node_modules", "playwright-core")), "tests/ui has no node_modules (cd tests/ui && npm ci; .ci/run does)");
        using var camera = RtspServer.Start("still=still:0");
        _sandbox.ExtraEnvironment["DRIVEWAY_RTSP_URL"] = camera.Url("still");
        _sandbox.EditConfig(config => config.Replace("cameras:\n", $"""
            cameras:
              - name: driveway
                source:
                  type: rtsp
                  config:
                    rtsp_url_env: DRIVEWAY_RTSP_URL
                    output_dir: {Path.Combine(_sandbox.Root, "recordings")}

            """, StringComparison.Ordinal));
        var (addCode, addOutput) = await _sandbox.RunCliWithInputAsync(Password + "\n", "user", "add", "admin", "--password-stdin");
        Assert.True(addCode == 0, addOutput);
        await using var daemon = _sandbox.StartDaemon();
        await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("sources").GetProperty("driveway").GetProperty("healthy").GetBoolean(), "the RTSP camera receiving frames");

        // When the browser goes through the UI
        var artifacts = Path.Combine(UiFolder, "artifacts");
        var (exitCode, output) = await RunNodeAsync(Path.Combine(UiFolder, "ui.spec.mjs"), new Dictionary<string, string>
        {
            ["HOMESEC_URL"] = $"http://127.0.0.1:{_sandbox.HealthPort}",
            ["HOMESEC_USER"] = "admin",
            ["HOMESEC_PASSWORD"] = Password,
            ["HOMESEC_WATCH_DIR"] = _sandbox.WatchDir,
            ["HOMESEC_CLIP"] = _clip,
            ["HOMESEC_LIVE_CAMERA"] = "driveway",
            ["HOMESEC_ARTIFACTS"] = artifacts,
        });

        // Then every step passed, and the screenshots are there to look at
        Assert.True(exitCode == 0, $"{output}\n--- daemon ---\n{daemon.Output}");
        Assert.Contains("ui: all steps passed", output, StringComparison.Ordinal);
        Assert.Matches(@"video played to \d+\.\d\d s", output);
        foreach (var screenshot in new[] { "01-login", "03-review-arrived", "04-clip", "05-cameras", "06-system", "07-phone-review" })
        {
            Assert.True(new FileInfo(Path.Combine(artifacts, screenshot + ".png")).Length > 1000, $"screenshot {screenshot}");
        }
    }

    private static async Task<(int ExitCode, string Output)> RunNodeAsync(string script, Dictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo("node", [script])
        {
            WorkingDirectory = UiFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("node is not installed");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the browser run did not end within 4 minutes:\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
