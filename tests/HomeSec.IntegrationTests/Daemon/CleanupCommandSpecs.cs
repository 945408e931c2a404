using System.Text.Json;
using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>
/// <c>homesec cleanup</c> as a user runs it, after the daemon stored two clips in (fake) Dropbox: the seed's recheck
/// with a second model, a dry run that changes nothing, the refusal while the daemon runs, then the real deletion of
/// the clip the larger model still finds nothing in — locally and in Dropbox.
/// </summary>
public sealed class CleanupCommandSpecs : IAsyncLifetime
{
    private const string Token = "sl.test-token";
    private DaemonSandbox _sandbox = null!;
    private FakeDropboxServer _dropbox = null!;

    public async Task InitializeAsync()
    {
        _sandbox = new DaemonSandbox();
        _dropbox = new FakeDropboxServer(validTokens: Token);
        _sandbox.ExtraEnvironment["DROPBOX_TOKEN"] = Token;
        _sandbox.EditConfig(c => c.Replace($"""
            storage:
              backend: local
              config:
                root: {Path.Combine(_sandbox.Root, "storage")}
            """, $"""
            storage:
              backend: dropbox
              config:
                root: /homesec
                token_env: DROPBOX_TOKEN
                api_url: {_dropbox.ApiUrl}
                content_url: {_dropbox.ApiUrl}
                shared_links: false
            """, StringComparison.Ordinal));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Should_delete_only_the_clip_the_recheck_model_finds_nothing_in_locally_and_in_dropbox_and_change_nothing_in_a_dry_run()
    {
        // Given a clip with a red "person" patch and a plain one, stored in Dropbox; the filter (none) found nothing in either
        var red = Path.Combine(_sandbox.Root, "red.mp4");
        var plain = Path.Combine(_sandbox.Root, "plain.mp4");
        await Ffmpeg.MakeClipAsync(red, "color=c=0x404040:s=640x360:r=10:d=2[bg];color=c=red:s=80x160:r=10[box];[bg][box]overlay=x=100:y=100:shortest=1", seconds: 2);
        await Ffmpeg.MakeClipAsync(plain, "color=c=0x404040:s=640x360:r=10:d=2", seconds: 2);
        var redName = (await _sandbox.DropClipsAsync(red, 1))[0];
        var plainName = (await _sandbox.DropClipsAsync(plain, 1))[0];
        await using (var daemon = _sandbox.StartDaemon())
        {
            await _sandbox.WaitForAlertedClipsAsync(daemon, 2);
            await Eventually.WaitForAsync(() => ClipStates().Values.Count(s => s.GetProperty("status").GetString() == "done") == 2,
                TimeSpan.FromSeconds(60), "both clips done", () => daemon.Output);

            // ... and while the daemon runs, cleanup --apply is refused
            var (refusedCode, refused) = await _sandbox.RunCliAsync("cleanup", "--recheck-model", Model, "--apply");
            Assert.Equal(1, refusedCode);
            Assert.Contains("the daemon is running", refused, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", refused, StringComparison.Ordinal);
            Assert.Equal(0, await daemon.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        var states = ClipStates();
        var redId = states[Path.Combine(_sandbox.WatchDir, redName)].GetProperty("clip_id").GetString()!;
        var plainId = states[Path.Combine(_sandbox.WatchDir, plainName)].GetProperty("clip_id").GetString()!;
        Assert.Equal(2, _dropbox.Files.Keys.Count(k => k.EndsWith(".mp4", StringComparison.Ordinal)));

        // When a dry run, then the real one
        var eventsBefore = _sandbox.ClipEvents().Values.Sum(e => e.Count);
        var (dryCode, dry) = await _sandbox.RunCliAsync("cleanup", "--recheck-model", Model);
        var filesAfterDryRun = _dropbox.Files.Keys.Order(StringComparer.Ordinal).ToList();
        var eventsAfterDryRun = _sandbox.ClipEvents().Values.Sum(e => e.Count);
        var (code, output) = await _sandbox.RunCliAsync("cleanup", "--recheck-model", Model, "--apply");

        // Then the dry run named the plain clip and changed nothing
        Assert.True(dryCode == 0, dry);
        Assert.Contains($"would delete local  {plainId}  (recheck", dry, StringComparison.Ordinal);
        Assert.Contains($"would delete remote {plainId}  (recheck", dry, StringComparison.Ordinal);
        Assert.DoesNotContain($"delete local  {redId}", dry, StringComparison.Ordinal);
        Assert.Contains("dry run: nothing was changed", dry, StringComparison.Ordinal);
        Assert.Equal(2, filesAfterDryRun.Count(k => k.EndsWith(".mp4", StringComparison.Ordinal)));
        Assert.Equal(eventsBefore, eventsAfterDryRun);

        // ... and --apply deleted the plain clip's file and its Dropbox copy, kept the red one and recorded what it found
        Assert.True(code == 0, output);
        Assert.False(File.Exists(Path.Combine(_sandbox.WatchDir, plainName)), "the plain clip's file must be gone");
        Assert.True(File.Exists(Path.Combine(_sandbox.WatchDir, redName)), "the red clip's file must stay");
        Assert.DoesNotContain(_dropbox.Files.Keys, k => k.Contains(plainId, StringComparison.Ordinal));
        Assert.Contains(_dropbox.Files.Keys, k => k.Contains(redId, StringComparison.Ordinal));
        Assert.Single(_dropbox.To("files/delete_v2"), r => r.Json["path"]!.GetValue<string>().EndsWith(".mp4", StringComparison.Ordinal));
        var after = ClipStates();
        var plainState = after[Path.Combine(_sandbox.WatchDir, plainName)];
        var redState = after[Path.Combine(_sandbox.WatchDir, redName)];
        Assert.Equal("deleted", plainState.GetProperty("status").GetString());
        Assert.Equal("recheck", plainState.GetProperty("deleted_reason").GetString());
        Assert.Equal("done", redState.GetProperty("status").GetString());
        Assert.Equal("person", redState.GetProperty("recheck").GetProperty("detected_classes")[0].GetString());
        Assert.Equal(["clip_deleted", "clip_deleted"], _sandbox.ClipEvents()[plainId].Select(e => e.EventType).TakeLast(2));
        var (listCode, list) = await _sandbox.RunCliAsync("clips", "list", "--status", "deleted");
        Assert.Equal(0, listCode);
        Assert.Contains(plainId, list, StringComparison.Ordinal);
        Assert.DoesNotContain(redId, list, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--older-than|soon", "--older-than: 'soon' is not an age")]
    [InlineData("--apply|--dry-run", "--apply and --dry-run contradict each other")]
    [InlineData("--recheck-model|/nowhere/yolo11x.onnx", "--recheck-model: no file at /nowhere/yolo11x.onnx")]
    [InlineData("--camera|garage", "--camera: no camera is named 'garage'; cameras: front_door")]
    public async Task Should_explain_a_bad_argument_in_one_sentence_with_exit_code_2(string arguments, string expected)
    {
        // Given a sandbox config

        // When
        var (code, output) = await _sandbox.RunCliAsync(["cleanup", .. arguments.Split('|')]);

        // Then
        Assert.Equal(2, code);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        await _dropbox.DisposeAsync();
        _sandbox.Dispose();
    }

    private static string Model => RepoPaths.Model("red_patch_detector.onnx");

    private Dictionary<string, JsonElement> ClipStates() => ClipStatesTable.ByLocalPath(Path.Combine(_sandbox.Root, "homesec.db"));
}
