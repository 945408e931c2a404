using System.Buffers;

namespace HomeSec.Core.Plugins.Sources.Rtsp;

/// <summary>
/// Keeps the last seconds of the main stream (MPEG-TS packets) in memory, in segments that each start
/// at a keyframe, so a clip can start <c>pre_roll_s</c> before the motion and still decode from its first
/// frame. While recording, the buffered segments and then the live packets go to a <c>.ts</c> file;
/// nothing touches the disk while idle. Not thread-safe: the source calls it under its lock.
/// </summary>
internal sealed class PreRollRecorder(TimeSpan preRoll, Func<DateTimeOffset, string> newRecordingPath, Action<FinishedRecording> finished) : IDisposable
{
    /// <summary>A stream with no keyframe for this long would grow a segment without bound.</summary>
    private const int MaxSegmentBytes = 64 * 1024 * 1024;

    private readonly List<Segment> _segments = [];
    private readonly Stack<Segment> _spare = new();
    private readonly byte[] _pat = new byte[TsPacket.Size];
    private readonly byte[] _pmt = new byte[TsPacket.Size];
    private bool _hasPat;
    private bool _hasPmt;
    private int _pmtPid = -1;
    private int _videoPid = -1;
    private Recording? _recording;
    private bool _rotateAtNextKeyframe;
    private long _latestPts = -1;

    public bool IsRecording => _recording is not null;

    public int BufferedBytes => _segments.Sum(s => s.Length);

    public TimeSpan Buffered(DateTimeOffset now) => _segments.Count == 0 ? TimeSpan.Zero : now - _segments[0].StartedAt;

    /// <summary>Whole 188-byte packets, as they arrive.</summary>
    public void Feed(ReadOnlySpan<byte> packets, DateTimeOffset now)
    {
        for (var offset = 0; offset + TsPacket.Size <= packets.Length; offset += TsPacket.Size)
        {
            FeedPacket(packets.Slice(offset, TsPacket.Size), now);
        }
    }

    /// <summary>Opens a recording that begins with the buffered pre-roll (or, with none yet, at the next keyframe).</summary>
    public void Start(DateTimeOffset now)
    {
        if (_recording is not null)
        {
            return;
        }

        TrimToPreRoll();
        if (_segments.Count > 0 && _hasPat && _hasPmt)
        {
            var startedAt = now - StreamTime(_latestPts - _segments[0].Pts);
            _recording = Recording.Open(newRecordingPath(startedAt), startedAt);
            WriteHeaders(_recording);
            foreach (var segment in _segments)
            {
                _recording.Write(segment.Bytes);
            }
        }
        else
        {
            _recording = Recording.Open(newRecordingPath(now), now);
            _recording.WaitsForKeyframe = true;
        }
    }

    /// <summary>Closes the recording; it is handed to <c>finished</c> unless it holds no video.</summary>
    public void Stop(DateTimeOffset now)
    {
        _rotateAtNextKeyframe = false;
        if (_recording is not { } recording)
        {
            return;
        }

        _recording = null;
        recording.Close();
        if (recording.BytesWritten == 0)
        {
            File.Delete(recording.Path);
            return;
        }

        finished(new FinishedRecording(recording.Path, recording.StartedAt, now));
    }

    /// <summary>Ends the current clip at the next keyframe and goes on in a new one, without a gap.</summary>
    public void RotateAtNextKeyframe()
    {
        if (_recording is not null)
        {
            _rotateAtNextKeyframe = true;
        }
    }

    /// <summary>
    /// ffmpeg reconnected: its new stream cannot be appended to the old one (timestamps and continuity
    /// restart), so the pre-roll is dropped and a recording goes on in a new file from the first keyframe.
    /// </summary>
    public void StreamRestarted(DateTimeOffset now)
    {
        ClearSegments();
        _hasPat = _hasPmt = false;
        _pmtPid = _videoPid = -1;
        _latestPts = -1;
        if (_recording is not null)
        {
            Stop(now);
            _recording = Recording.Open(newRecordingPath(now), now);
            _recording.WaitsForKeyframe = true;
        }
    }

    /// <summary>Leaves an open recording on disk as it is: the next start finalizes it, as after a crash.</summary>
    public void Dispose()
    {
        _recording?.Close();
        _recording = null;
        ClearSegments();
        while (_spare.TryPop(out var segment))
        {
            segment.Release();
        }
    }

    private void FeedPacket(ReadOnlySpan<byte> packet, DateTimeOffset now)
    {
        if (packet[0] != TsPacket.SyncByte)
        {
            return;
        }

        var pid = TsPacket.Pid(packet);
        if (pid == TsPacket.PatPid && TsPacket.PmtPidFromPat(packet) is var pmtPid and >= 0)
        {
            packet.CopyTo(_pat);
            _hasPat = true;
            _pmtPid = pmtPid;
        }
        else if (pid == _pmtPid && TsPacket.VideoPidFromPmt(packet) is var videoPid and >= 0)
        {
            packet.CopyTo(_pmt);
            _hasPmt = true;
            _videoPid = videoPid;
        }
        else if (pid == _videoPid && TsPacket.TryReadPts(packet, out var pts))
        {
            _latestPts = pts;
            if (TsPacket.StartsKeyframe(packet))
            {
                OnKeyframe(now, pts);
            }
        }

        if (_segments.Count > 0)
        {
            var last = _segments[^1];
            if (last.Length + TsPacket.Size > MaxSegmentBytes)
            {
                ClearSegments();
            }
            else
            {
                last.Append(packet);
            }
        }

        if (_recording is { WaitsForKeyframe: false } recording)
        {
            recording.Write(packet);
        }
    }

    private void OnKeyframe(DateTimeOffset now, long pts)
    {
        if (_recording is not null && _rotateAtNextKeyframe)
        {
            _rotateAtNextKeyframe = false;
            Stop(now);
            _recording = Recording.Open(newRecordingPath(now), now);
            WriteHeaders(_recording);
        }
        else if (_recording is { WaitsForKeyframe: true } waiting && _hasPat && _hasPmt)
        {
            WriteHeaders(waiting);
            waiting.WaitsForKeyframe = false;
        }

        var segment = _spare.TryPop(out var reused) ? reused : new Segment();
        segment.Restart(now, pts);
        _segments.Add(segment);
        TrimToPreRoll();
    }

    /// <summary>Keeps the newest segment that starts at least pre_roll before the latest packet, and those after it.</summary>
    private void TrimToPreRoll()
    {
        while (_segments.Count >= 2 && StreamTime(_latestPts - _segments[1].Pts) >= preRoll)
        {
            _spare.Push(_segments[0]);
            _segments.RemoveAt(0);
        }
    }

    /// <summary>A PTS difference (90 kHz, 33 bits, wrapping) as a duration.</summary>
    private static TimeSpan StreamTime(long ptsDifference) =>
        TimeSpan.FromSeconds((ptsDifference & ((1L << 33) - 1)) / 90_000.0);

    private void WriteHeaders(Recording recording)
    {
        recording.Write(_pat);
        recording.Write(_pmt);
    }

    private void ClearSegments()
    {
        foreach (var segment in _segments)
        {
            _spare.Push(segment);
        }

        _segments.Clear();
    }

    /// <summary>The packets from one keyframe to the next, in a pooled buffer reused after it ages out.</summary>
    private sealed class Segment
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);

        public DateTimeOffset StartedAt { get; private set; }

        public long Pts { get; private set; }

        public int Length { get; private set; }

        public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, Length);

        public void Restart(DateTimeOffset at, long pts)
        {
            StartedAt = at;
            Pts = pts;
            Length = 0;
        }

        public void Append(ReadOnlySpan<byte> packet)
        {
            if (Length + packet.Length > _buffer.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                _buffer.AsSpan(0, Length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            packet.CopyTo(_buffer.AsSpan(Length));
            Length += packet.Length;
        }

        public void Release() => ArrayPool<byte>.Shared.Return(_buffer);
    }

    private sealed class Recording(string path, DateTimeOffset startedAt, FileStream file)
    {
        public string Path { get; } = path;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public bool WaitsForKeyframe { get; set; }

        public long BytesWritten { get; private set; }

        public static Recording Open(string path, DateTimeOffset startedAt) =>
            new(path, startedAt, new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 256 * 1024));

        public void Write(ReadOnlySpan<byte> bytes)
        {
            file.Write(bytes);
            BytesWritten += bytes.Length;
        }

        public void Close() => file.Dispose();
    }
}

internal sealed record FinishedRecording(string TsPath, DateTimeOffset StartedAt, DateTimeOffset EndedAt);
