using HomeSec.Core.Plugins.Sources.Rtsp;
using Xunit;

namespace HomeSec.Tests.Plugins.Sources.Rtsp;

public sealed class RecordingStateMachineSpecs
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly MotionSettings Motion = new(PixelThreshold: 45, MinChangedPct: 2.0, RecordingSensitivityFactor: 4.0);

    private readonly RecordingStateMachine _machine = new(Motion, stopDelay: TimeSpan.FromSeconds(3), maxRecording: TimeSpan.FromSeconds(20));

    [Fact]
    public void Should_stay_idle_when_the_change_is_below_min_changed_pct()
    {
        // Given
        var at = T0;

        // When
        var command = _machine.OnFrame(at, 1.9);

        // Then
        Assert.Equal(RecordingCommand.None, command);
        Assert.Equal(RecordingState.Idle, _machine.State);
    }

    [Fact]
    public void Should_start_recording_when_the_change_reaches_min_changed_pct()
    {
        // Given
        Assert.Equal(RecordingState.Idle, _machine.State);

        // When
        var command = _machine.OnFrame(T0, 2.0);

        // Then
        Assert.Equal(RecordingCommand.StartRecording, command);
        Assert.Equal(RecordingState.Recording, _machine.State);
    }

    [Fact]
    public void Should_keep_recording_when_motion_stays_above_the_keep_alive_share_but_below_min_changed_pct()
    {
        // Given
        _machine.OnFrame(T0, 5);

        // When
        var commands = Enumerable.Range(1, 15).Select(s => _machine.OnFrame(T0.AddSeconds(s), 0.6)).ToList();

        // Then
        Assert.All(commands, c => Assert.Equal(RecordingCommand.None, c));
        Assert.Equal(RecordingState.Recording, _machine.State);
    }

    [Fact]
    public void Should_finalize_when_stop_delay_passes_without_motion()
    {
        // Given
        _machine.OnFrame(T0, 5);

        // When
        var quiet = _machine.OnFrame(T0.AddSeconds(1), 0.1);
        var stillWaiting = _machine.OnFrame(T0.AddSeconds(2.9), 0.1);
        var stateBeforeStop = _machine.State;
        var stop = _machine.OnFrame(T0.AddSeconds(3), 0.1);

        // Then
        Assert.Equal(RecordingCommand.None, quiet);
        Assert.Equal(RecordingCommand.None, stillWaiting);
        Assert.Equal(RecordingState.StopDelay, stateBeforeStop);
        Assert.Equal(RecordingCommand.StopRecording, stop);
        Assert.Equal(RecordingState.Idle, _machine.State);
    }

    [Fact]
    public void Should_go_back_to_recording_when_motion_returns_during_stop_delay()
    {
        // Given
        _machine.OnFrame(T0, 5);
        _machine.OnFrame(T0.AddSeconds(2), 0);

        // When
        var resumed = _machine.OnFrame(T0.AddSeconds(2.5), 1);
        var later = _machine.OnFrame(T0.AddSeconds(4), 0);

        // Then
        Assert.Equal(RecordingCommand.None, resumed);
        Assert.Equal(RecordingCommand.None, later);
        Assert.Equal(RecordingState.StopDelay, _machine.State);
    }

    [Fact]
    public void Should_rotate_when_motion_lasts_longer_than_max_recording()
    {
        // Given
        _machine.OnFrame(T0, 5);

        // When
        var commands = Enumerable.Range(1, 45).Select(s => (Second: s, Command: _machine.OnFrame(T0.AddSeconds(s), 5))).ToList();

        // Then
        Assert.Equal([20, 40], commands.Where(c => c.Command == RecordingCommand.RotateRecording).Select(c => c.Second));
        Assert.Equal(T0.AddSeconds(40), _machine.ClipStartedAt);
    }

    [Fact]
    public void Should_finalize_when_no_frame_arrives_for_stop_delay()
    {
        // Given
        _machine.OnFrame(T0, 5);

        // When
        var early = _machine.OnTick(T0.AddSeconds(2));
        var late = _machine.OnTick(T0.AddSeconds(3.5));

        // Then
        Assert.Equal(RecordingCommand.None, early);
        Assert.Equal(RecordingCommand.StopRecording, late);
    }
}
