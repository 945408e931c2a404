namespace HomeSec.Core.Plugins.Sources.Rtsp;

/// <summary>
/// idle → recording → stop_delay → finalize (idle), with rotation every <c>max_recording_s</c>. Pure: it
/// reads no clock, every input carries its time, and it answers with what the recorder must do.
/// </summary>
public sealed class RecordingStateMachine(MotionSettings motion, TimeSpan stopDelay, TimeSpan maxRecording)
{
    public RecordingState State { get; private set; } = RecordingState.Idle;

    /// <summary>When the current clip (the latest after a rotation) started.</summary>
    public DateTimeOffset? ClipStartedAt { get; private set; }

    public DateTimeOffset? LastMotionAt { get; private set; }

    /// <summary>A measured frame: <paramref name="changedPct"/> is the detector's changed share in percent.</summary>
    public RecordingCommand OnFrame(DateTimeOffset at, double changedPct)
    {
        if (State == RecordingState.Idle)
        {
            if (changedPct < motion.MinChangedPct)
            {
                return RecordingCommand.None;
            }

            State = RecordingState.Recording;
            ClipStartedAt = at;
            LastMotionAt = at;
            return RecordingCommand.StartRecording;
        }

        if (changedPct >= motion.KeepAliveChangedPct)
        {
            State = RecordingState.Recording;
            LastMotionAt = at;
        }
        else
        {
            State = RecordingState.StopDelay;
        }

        return CheckLimits(at);
    }

    /// <summary>Time passing without frames (a stalled stream shows no motion).</summary>
    public RecordingCommand OnTick(DateTimeOffset at) => State == RecordingState.Idle ? RecordingCommand.None : CheckLimits(at);

    private RecordingCommand CheckLimits(DateTimeOffset at)
    {
        if (State == RecordingState.StopDelay || at > LastMotionAt)
        {
            if (at - LastMotionAt >= stopDelay)
            {
                State = RecordingState.Idle;
                ClipStartedAt = null;
                return RecordingCommand.StopRecording;
            }
        }

        if (at - ClipStartedAt >= maxRecording)
        {
            ClipStartedAt = at;
            return RecordingCommand.RotateRecording;
        }

        return RecordingCommand.None;
    }
}
