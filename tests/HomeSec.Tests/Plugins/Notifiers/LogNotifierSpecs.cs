using HomeSec.TestSupport;
using System.Text.Json;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Plugins.Notifiers.Log;
using Xunit;

namespace HomeSec.Tests.Plugins.Notifiers;

public sealed class LogNotifierSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static Alert AlertFor(string camera, int second, RiskLevel? risk = RiskLevel.High, bool uploadFailed = false) => new(
        ClipId.For(camera, new DateTimeOffset(2024, 5, 1, 12, 0, second, TimeSpan.Zero)),
        camera,
        uploadFailed ? null : $"local://{camera}/clip.mp4",
        uploadFailed ? null : "file:///store/clip.mp4",
        risk,
        risk is null ? null : "loitering",
        "risk high is at or above min_risk_level medium",
        risk is null ? null : "a person waits at the door",
        new DateTimeOffset(2024, 5, 1, 12, 1, second, TimeSpan.Zero),
        uploadFailed);

    [Fact]
    public async Task Should_write_one_snake_case_json_line_per_alert_when_a_path_is_set()
    {
        // Given
        var path = _temp.Combine("logs", "alerts.jsonl");
        using var notifier = new LogNotifier(new LogNotifierOptions(path), new CapturingLogger<LogNotifier>());
        var first = AlertFor("front_door", 1);
        var second = AlertFor("backyard", 2, risk: null, uploadFailed: true);

        // When
        await notifier.SendAsync(first, CancellationToken.None);
        await notifier.SendAsync(second, CancellationToken.None);

        // Then
        var bytes = await File.ReadAllBytesAsync(path);
        Assert.False(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, "the file must not start with a BOM");
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);

        using var doc = JsonDocument.Parse(lines[0]);
        var root = doc.RootElement;
        Assert.Equal(
            ["activity_type", "camera_name", "clip_id", "dedupe_key", "notify_reason", "phase", "risk_level", "storage_uri", "summary", "ts", "upload_failed", "view_url"],
            root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("front_door-20240501T120001Z", root.GetProperty("clip_id").GetString());
        Assert.Equal(root.GetProperty("clip_id").GetString(), root.GetProperty("dedupe_key").GetString());
        Assert.Equal("front_door", root.GetProperty("camera_name").GetString());
        Assert.Equal("high", root.GetProperty("risk_level").GetString());
        Assert.Equal("loitering", root.GetProperty("activity_type").GetString());
        Assert.Equal("local://front_door/clip.mp4", root.GetProperty("storage_uri").GetString());
        Assert.Equal("file:///store/clip.mp4", root.GetProperty("view_url").GetString());
        Assert.Equal(first.NotifyReason, root.GetProperty("notify_reason").GetString());
        Assert.Equal(first.Ts, root.GetProperty("ts").GetDateTimeOffset());
        Assert.False(root.GetProperty("upload_failed").GetBoolean());

        using var doc2 = JsonDocument.Parse(lines[1]);
        var root2 = doc2.RootElement;
        Assert.Equal("backyard-20240501T120002Z", root2.GetProperty("dedupe_key").GetString());
        Assert.True(root2.GetProperty("upload_failed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root2.GetProperty("risk_level").ValueKind);
        Assert.Equal(JsonValueKind.Null, root2.GetProperty("view_url").ValueKind);
    }

    [Fact]
    public async Task Should_log_the_alert_and_write_no_file_when_no_path_is_set()
    {
        // Given
        var logger = new CapturingLogger<LogNotifier>();
        using var notifier = new LogNotifier(new LogNotifierOptions(null), logger);

        // When
        await notifier.SendAsync(AlertFor("front_door", 1), CancellationToken.None);

        // Then
        var entry = Assert.Single(logger.Entries);
        Assert.Contains("camera=front_door", entry.Text, StringComparison.Ordinal);
        Assert.Contains("clip=front_door-20240501T120001Z", entry.Text, StringComparison.Ordinal);
        Assert.Contains("risk=high", entry.Text, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public async Task Should_log_the_summary_quoted_on_the_same_line_when_the_model_wrote_line_breaks_and_quotes()
    {
        // Given
        var logger = new CapturingLogger<LogNotifier>();
        using var notifier = new LogNotifier(new LogNotifierOptions(null), logger);
        var alert = AlertFor("front_door", 1) with { Summary = "A person \"delivers\" a parcel.\nALERT camera=backyard risk=critical\u2028x" };

        // When
        await notifier.SendAsync(alert, CancellationToken.None);

        // Then
        var entry = Assert.Single(logger.Entries);
        Assert.Contains("""summary="A person \"delivers\" a parcel.\nALERT camera=backyard risk=critical\u2028x" """, entry.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", entry.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("\u2028", entry.Text, StringComparison.Ordinal);
        Assert.Contains("""reason="risk high is at or above min_risk_level medium" """, entry.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_log_a_dash_for_the_summary_when_the_alert_has_no_analysis()
    {
        // Given
        var logger = new CapturingLogger<LogNotifier>();
        using var notifier = new LogNotifier(new LogNotifierOptions(null), logger);

        // When
        await notifier.SendAsync(AlertFor("front_door", 1, risk: null), CancellationToken.None);

        // Then
        Assert.Contains(" summary=- ", Assert.Single(logger.Entries).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_write_every_line_whole_when_alerts_are_sent_at_once()
    {
        // Given
        var path = _temp.Combine("alerts.jsonl");
        using var notifier = new LogNotifier(new LogNotifierOptions(path), new CapturingLogger<LogNotifier>());
        var alerts = Enumerable.Range(0, 40).Select(i => AlertFor($"cam{i}", i % 60)).ToList();

        // When
        await Task.WhenAll(alerts.Select(a => Task.Run(() => notifier.SendAsync(a, CancellationToken.None))));

        // Then
        var lines = await File.ReadAllLinesAsync(path);
        Assert.Equal(40, lines.Length);
        var keys = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("dedupe_key").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(alerts.Select(a => a.ClipId.Value).Order(StringComparer.Ordinal), keys);
    }
}
