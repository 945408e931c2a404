using System.Text.Json;
using HomeSec.IntegrationTests.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>The armed mode and the cooldown in the running daemon: set through the CLI, kept across a restart, recorded as the clip's decision.</summary>
public sealed class ArmedModeSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private DaemonSandbox _sandbox = null!;
    private string _clip = null!;

    public async Task InitializeAsync()
    {
        _sandbox = new DaemonSandbox();
        _clip = Path.Combine(_sandbox.Root, "source.mp4");
        await Ffmpeg.MakeTestClipAsync(_clip);
    }

    [Fact]
    public async Task Should_record_no_alert_with_the_reason_when_the_mode_is_off_and_keep_the_mode_across_a_restart()
    {
        // Given a daemon whose mode was set to off through the CLI, then restarted
        await using (var first = _sandbox.StartDaemon())
        {
            await _sandbox.WaitForHealthAsync(first, h => h.GetProperty("status").GetString() == "ok", "the daemon healthy");
            var (setCode, set) = await _sandbox.RunCliAsync("mode", "set", "off");
            Assert.True(setCode == 0, set);
            Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        await using var daemon = _sandbox.StartDaemon();
        await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("status").GetString() == "ok", "the daemon healthy again");
        var (getCode, mode) = await _sandbox.RunCliAsync("mode", "get");

        // When a clip arrives
        var name = (await _sandbox.DropClipsAsync(_clip, 1))[0];
        var decision = await DecisionAsync(daemon, name);

        // Then the mode survived, the clip is done and its decision says why there was no alert
        Assert.Equal(0, getCode);
        Assert.Equal("off", mode.Trim());
        Assert.False(decision.GetProperty("notify").GetBoolean());
        Assert.StartsWith("suppressed (mode_off)", decision.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Empty(_sandbox.Alerts());

        // ... and back home, the next clip alerts
        var (homeCode, _) = await _sandbox.RunCliAsync("mode", "set", "home");
        Assert.Equal(0, homeCode);
        await _sandbox.DropClipsAsync(_clip, 1);
        await _sandbox.WaitForAlertedClipsAsync(daemon, 1);
        Assert.Equal(0, await daemon.TerminateAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Should_hold_back_the_second_alert_of_a_camera_within_its_cooldown()
    {
        // Given a 10-minute cooldown on the camera
        _sandbox.EditConfig(c => c.Replace("        stability_threshold_s: 0.3\n", "        stability_threshold_s: 0.3\n    alerts: {cooldown_s: 600}\n", StringComparison.Ordinal));
        await using var daemon = _sandbox.StartDaemon();

        // When two clips arrive one after the other
        var first = (await _sandbox.DropClipsAsync(_clip, 1))[0];
        await _sandbox.WaitForAlertedClipsAsync(daemon, 1);
        var second = (await _sandbox.DropClipsAsync(_clip, 1))[0];
        var decision = await DecisionAsync(daemon, second);

        // Then only the first alerted; the second's decision names the cooldown
        Assert.Single(_sandbox.Alerts().Select(a => a.GetProperty("clip_id").GetString()).Distinct());
        Assert.StartsWith("suppressed (cooldown)", decision.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(first, second);
        Assert.Equal(0, await daemon.TerminateAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Should_explain_a_mode_that_does_not_exist_in_one_sentence()
    {
        // Given a sandbox (no daemon needed: the mode is checked first)

        // When
        var (code, output) = await _sandbox.RunCliAsync("mode", "set", "asleep");

        // Then
        Assert.Equal(2, code);
        Assert.Contains("mode: 'asleep' is not allowed; allowed: home, away, off", output, StringComparison.Ordinal);
    }

    public Task DisposeAsync()
    {
        _sandbox.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The alert decision of the clip taken from <paramref name="name"/>, once clip_states has it.</summary>
    private async Task<JsonElement> DecisionAsync(DaemonProcess daemon, string name)
    {
        var path = Path.Combine(_sandbox.WatchDir, name);
        return (await Eventually.WaitForAsync(() =>
        {
            try
            {
                using var connection = new SqliteConnection($"Data Source={Path.Combine(_sandbox.Root, "homesec.db")};Mode=ReadOnly;Pooling=False");
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT data FROM clip_states";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var state = JsonDocument.Parse(reader.GetString(0)).RootElement.Clone();
                    if (state.GetProperty("local_path").GetString() == path && state.TryGetProperty("alert_decision", out var decision)
                        && state.GetProperty("status").GetString() == "done")
                    {
                        return Task.FromResult<Box?>(new Box(decision));
                    }
                }
            }
            catch (SqliteException)
            {
                // not created yet
            }

            return Task.FromResult<Box?>(null);
        }, Patience, $"the decision of {name}", () => daemon.Output)).Value;
    }

    private sealed record Box(JsonElement Value);
}
