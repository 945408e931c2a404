using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>
/// <c>clips list</c> and <c>clips show</c> piped into a script (the tests read the output through a pipe, as awk
/// or grep would): plain columns that line up, one line per row, no colour codes and no trailing spaces.
/// </summary>
public sealed partial class ClipsTableSpecs : IAsyncLifetime
{
    private DaemonSandbox _sandbox = null!;
    private string _clip = null!;

    public async Task InitializeAsync()
    {
        _sandbox = new DaemonSandbox();
        _clip = Path.Combine(_sandbox.Root, "source.mp4");
        await Ffmpeg.MakeTestClipAsync(_clip, seconds: 1);
    }

    [Fact]
    public async Task Should_print_aligned_plain_columns_when_clips_are_listed_and_shown_through_a_pipe()
    {
        // Given a clip the daemon has finished
        await using var daemon = _sandbox.StartDaemon();
        await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("status").GetString() == "ok", "the daemon healthy");
        using var http = _sandbox.ApiClient();
        await _sandbox.DropClipsAsync(_clip, 1);
        await _sandbox.WaitForAlertedClipsAsync(daemon, 1);
        var clipId = _sandbox.Alerts()[0].GetProperty("clip_id").GetString()!;
        await Eventually.WaitForAsync(async () =>
        {
            var clips = await http.GetFromJsonAsync<JsonElement[]>("/api/clips?status=done");
            return clips is { Length: 1 } ? clips : null;
        }, TimeSpan.FromSeconds(30), "the clip listed as done", () => daemon.Output);

        // When
        var (listExitCode, list) = await _sandbox.RunCliAsync("clips", "list");
        var (showExitCode, show) = await _sandbox.RunCliAsync("clips", "show", clipId);

        // Then the list: a header, one row per clip, the count
        Assert.Equal(0, listExitCode);
        var lines = list.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = Assert.Single(lines, l => l.StartsWith("CLIP ", StringComparison.Ordinal));
        var row = Assert.Single(lines, l => l.StartsWith(clipId, StringComparison.Ordinal));
        Assert.Matches(@"^CLIP +CAMERA +STATUS +RECORDED \(UTC\) +ALERT +VIEW$", header);
        var cells = Columns().Split(row);
        Assert.Equal([clipId, "front_door", "done"], cells.Take(3));
        Assert.Equal(6, cells.Length);
        Assert.Equal(header.IndexOf("CAMERA", StringComparison.Ordinal), row.IndexOf(cells[1], clipId.Length, StringComparison.Ordinal));
        Assert.Equal(header.IndexOf("VIEW", StringComparison.Ordinal), row.IndexOf(cells[5], clipId.Length, StringComparison.Ordinal));
        Assert.Contains("1 clip(s)", lines);

        // And the clip: its fields, then its history in order
        Assert.Equal(0, showExitCode);
        var shown = show.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^status +done$", Assert.Single(shown, l => l.StartsWith("status ", StringComparison.Ordinal)));
        Assert.Matches($"^clip +{Regex.Escape(clipId)}$", Assert.Single(shown, l => l.StartsWith("clip ", StringComparison.Ordinal)));
        var events = shown.SkipWhile(l => l != "history").Skip(2).Select(l => Columns().Split(l.Trim())).ToList();
        Assert.Equal("clip_recorded", events[0][^1]);
        Assert.Equal("clip_completed", events[^1][^1]);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), events.Select(e => e[0]));

        // And nothing a pipe should not carry
        Assert.DoesNotContain('\u001b', list + show);
        Assert.DoesNotContain(lines.Concat(shown), l => l.EndsWith(' '));
    }

    /// <summary>Columns are two or more spaces apart (a value itself has at most single spaces).</summary>
    [GeneratedRegex(" {2,}")]
    private static partial Regex Columns();

    public Task DisposeAsync()
    {
        _sandbox.Dispose();
        return Task.CompletedTask;
    }
}
