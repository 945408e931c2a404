namespace HomeSec.Core.Plugins.Sources.Rtsp;

public enum RecordingState
{
    Idle,

    /// <summary>The last frame showed motion.</summary>
    Recording,

    /// <summary>Still recording, waiting for stop_delay without motion before finalizing.</summary>
    StopDelay,
}

public enum RecordingCommand
{
    None,
    StartRecording,

    /// <summary>Close the clip and finalize it.</summary>
    StopRecording,

    /// <summary>max_recording_s reached with motion still going: close this clip and go on in a new one.</summary>
    RotateRecording,
}
