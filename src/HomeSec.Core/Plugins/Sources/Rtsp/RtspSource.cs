using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using HomeSec.Core.Clips;
using HomeSec.Core.Media;
using Microsoft.Extensions.Logging;

namespace HomeSec.Core.Plugins.Sources.Rtsp;

/// <summary>
/// An RTSP camera. One ffmpeg reads the detect stream as small gray frames for the <see cref="MotionDetector"/>,
/// whose measure drives the <see cref="RecordingStateMachine"/>; another copies the main stream as MPEG-TS
/// into the <see cref="PreRollRecorder"/>, which writes a <c>.ts</c> only while recording. A finished
/// recording is remuxed to MP4 (stream copy), noted in the manifest and handed over once; a <c>.ts</c> left
/// by a crash is finalized at the next start. Both streams reconnect with backoff.
/// </summary>
public sealed partial class RtspSource : IClipSource, Alerts.Live.ILiveDetectionSource
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(500);

    private readonly RtspSourceOptions _options;
    private readonly string _cameraName;
    private readonly TimeProvider _clock;
    private readonly ILogger<RtspSource> _logger;
    private readonly UrlRedactor _redactor;
    private readonly MotionDetector _detector;
    private readonly RecordingStateMachine _stateMachine;
    private readonly Lock _gate = new();
    private readonly HashSet<ClipId> _usedClipIds = [];
    private readonly TaskCompletionSource<ClipManifest> _manifest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<FinishedRecording> _finishedRecordings = Channel.CreateUnbounded<FinishedRecording>();
    private PreRollRecorder? _recorder;
    private DateTimeOffset? _lastFrameAt;
    private volatile bool _detectOnMainStream;

    /// <summary>When the main stream last delivered data (ticks of the clock's UTC time); 0: never.</summary>
    private long _mainDataAtTicks;

    /// <summary>How long detection stays on the main stream before the detect stream is tried again (the seed: every 25–60 s).</summary>
    private static readonly TimeSpan DetectStreamRetryInterval = TimeSpan.FromSeconds(30);
    private volatile string _problem = "starting";

    private readonly LiveFrames? _liveFrames;
    private readonly Alerts.Live.ILiveDetector? _liveDetector;
    private readonly TimeSpan _liveInterval;
    private readonly Channel<Alerts.Live.LiveDetection> _liveDetections =
        Channel.CreateBounded<Alerts.Live.LiveDetection>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });
    private byte[] _gray = [];
    private (ClipId Id, DateTimeOffset StartedAt)? _currentRecording;
    private DateTimeOffset _lastLiveLook = DateTimeOffset.MinValue;
    private int _liveBusy;
    private int _liveFailures;

    /// <param name="liveFrames">Where the latest detect frame is offered for the web UI's live view; null: nowhere.</param>
    /// <param name="liveDetector">Runs on detect frames while recording (live_detection), frames then come in colour; null: off.</param>
    /// <param name="liveInterval">How often a frame is looked at during a recording.</param>
    public RtspSource(RtspSourceOptions options, string cameraName, TimeProvider clock, ILogger<RtspSource> logger, LiveFrames? liveFrames = null,
        Alerts.Live.ILiveDetector? liveDetector = null, TimeSpan? liveInterval = null)
    {
        _liveFrames = liveFrames;
        _liveDetector = liveDetector;
        _liveInterval = liveInterval ?? TimeSpan.FromSeconds(0.25);
        _options = options;
        _cameraName = cameraName;
        _clock = clock;
        _logger = logger;
        _redactor = new UrlRedactor([options.MainUrl, options.DetectUrl]);
        var mask = MotionMask.Rasterise(options.DetectWidth, options.DetectHeight, options.MotionMasks);
        _detector = new MotionDetector(options.DetectWidth, options.DetectHeight, options.Motion.PixelThreshold, options.Motion.BlurKernel, mask);
        _stateMachine = new RecordingStateMachine(options.Motion, options.StopDelay, options.MaxRecording);
        _detectOnMainStream = options.DetectUrl is null;
    }

    /// <summary>What live detection found during recordings (read by the camera actor).</summary>
    public ChannelReader<Alerts.Live.LiveDetection> LiveDetections => _liveDetections.Reader;

    public SourceHealth Health
    {
        get
        {
            var last = _lastFrameAt;
            var healthy = last is { } at && _clock.GetUtcNow() - at <= _options.FrameTimeout;
            var detail = healthy
                ? $"receiving detect frames from {UrlRedactor.RedactUrls(DetectUrl)}{(_detectOnMainStream && _options.DetectUrl is not null ? " (fallback to the main stream)" : "")}; {_stateMachine.State.ToString().ToLowerInvariant()}"
                : _problem;
            return new SourceHealth(healthy, last, _redactor.Redact(detail));
        }
    }

    private string DetectUrl => _detectOnMainStream ? _options.MainUrl : _options.DetectUrl ?? _options.MainUrl;

    public async IAsyncEnumerable<RecordedClip> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_options.OutputDir);
        var manifest = await ClipManifest.OpenAsync(_options.ManifestPath, cancellationToken);
        _manifest.TrySetResult(manifest);
        var clips = Channel.CreateUnbounded<RecordedClip>(new UnboundedChannelOptions { SingleReader = true });
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loops = new List<Task>();
        try
        {
            foreach (var pending in manifest.Pending)
            {
                if (File.Exists(pending.FilePath))
                {
                    yield return new RecordedClip(pending.ClipId, _cameraName, pending.FilePath, StartOf(pending.ClipId, pending.ModifiedAt), pending.ModifiedAt, pending.Size, Resumed: true);
                }
                else
                {
                    _logger.LogError("Camera {Camera}: clip {ClipId} was handed over but its file {Path} is gone; it cannot be resumed", _cameraName, pending.ClipId, pending.FilePath);
                }
            }

            foreach (var clip in await RecoverLeftoversAsync(manifest, cancellationToken))
            {
                yield return clip;
            }

            _recorder = new PreRollRecorder(_options.PreRoll, NewRecordingPath, finished => _finishedRecordings.Writer.TryWrite(finished));
            var token = stopping.Token;
            loops.Add(Guard(() => RunDetectLoopAsync(token), clips.Writer, token));
            loops.Add(Guard(() => RunMainStreamLoopAsync(token), clips.Writer, token));
            loops.Add(Guard(() => RunTicksAsync(token), clips.Writer, token));
            loops.Add(Guard(() => RunFinalizerAsync(manifest, clips.Writer, token), clips.Writer, token));

            await foreach (var clip in clips.Reader.ReadAllAsync(cancellationToken))
            {
                yield return clip;
            }
        }
        finally
        {
            await stopping.CancelAsync();
            await Task.WhenAll(loops);
            lock (_gate)
            {
                _recorder?.Dispose();
                _recorder = null;
            }

            await manifest.DisposeAsync();
        }
    }

    public async Task MarkProcessedAsync(ClipId clipId, CancellationToken cancellationToken)
    {
        var manifest = await _manifest.Task.WaitAsync(cancellationToken);
        await manifest.MarkDoneAsync(clipId, cancellationToken);
    }

    /// <summary>Runs a loop; its failure ends the clip stream with that error (and so fails the camera).</summary>
    private static async Task Guard(Func<Task> loop, ChannelWriter<RecordedClip> clips, CancellationToken token)
    {
        try
        {
            await loop();
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            clips.TryComplete(ex);
        }
    }

    private async Task RunDetectLoopAsync(CancellationToken token)
    {
        var reconnect = new ReconnectPolicy(_options.Backoff, _options.MaxBackoff, _options.MaxAttempts);
        var detectFailures = 0;
        var frame = new byte[_detector.FrameSize * (_liveDetector is null ? 1 : 3)];
        _gray = _liveDetector is null ? [] : new byte[_detector.FrameSize];
        while (true)
        {
            var url = DetectUrl;
            var (frames, reason) = await ReadDetectFramesAsync(url, frame, token);
            token.ThrowIfCancellationRequested();
            if (frames > 0)
            {
                reconnect.Connected();
                detectFailures = 0;
            }

            if (reason == RetryDetectStream)
            {
                // Detection ran on the main stream long enough: give the detect stream one more chance.
                _detectOnMainStream = false;
                detectFailures = _options.DetectFallbackAttempts - 1;
                _logger.LogInformation("Camera {Camera}: trying the detect stream {Url} again", _cameraName, UrlRedactor.RedactUrls(_options.DetectUrl ?? _options.MainUrl));
                continue;
            }

            _problem = $"detect stream {UrlRedactor.RedactUrls(url)}: {reason}";
            // Only a detect stream that fails while the main stream works says the detect stream is the problem;
            // when the camera is down, both fail and the detect stream must stay.
            if (!_detectOnMainStream && MainStreamWorks() && ++detectFailures >= _options.DetectFallbackAttempts)
            {
                _detectOnMainStream = true;
                reconnect.Connected();
                _logger.LogWarning("Camera {Camera}: detect stream {Url} failed {Failures} times ({Reason}); detecting on the main stream {MainUrl} from now on",
                    _cameraName, UrlRedactor.RedactUrls(url), detectFailures, _redactor.Redact(reason), UrlRedactor.RedactUrls(_options.MainUrl));
                continue;
            }

            if (!reconnect.Failed())
            {
                throw new RtspSourceException(_redactor.Redact($"camera {_cameraName}: detect stream {UrlRedactor.RedactUrls(url)} failed {reconnect.ConsecutiveFailures} times in a row (max_attempts): {reason}"));
            }

            var delay = reconnect.NextDelay();
            _logger.LogWarning("Camera {Camera}: detect stream {Url} ended after {Frames} frames ({Reason}); reconnecting in {Delay:0.0} s (attempt {Attempt})",
                _cameraName, UrlRedactor.RedactUrls(url), frames, _redactor.Redact(reason), delay.TotalSeconds, reconnect.ConsecutiveFailures + 1);
            await Task.Delay(delay, _clock, token);
        }
    }

    private const string RetryDetectStream = "time to retry the detect stream";

    /// <summary>The main stream delivered data within the last frame timeout (plus the connect time of a detect attempt).</summary>
    private bool MainStreamWorks()
    {
        var at = Interlocked.Read(ref _mainDataAtTicks);
        return at > 0 && _clock.GetUtcNow().UtcTicks - at <= (_options.FrameTimeout + _options.ConnectTimeout).Ticks;
    }

    private async Task<(long Frames, string Reason)> ReadDetectFramesAsync(string url, byte[] frame, CancellationToken token)
    {
        FfmpegChild ffmpeg;
        try
        {
            ffmpeg = FfmpegChild.Start(_options.FfmpegPath, FfmpegArguments.DetectFrames(_options, url, colour: _liveDetector is not null), _redactor);
        }
        catch (InvalidOperationException ex)
        {
            return (0, ex.Message);
        }

        await using (ffmpeg)
        {
            using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(token);
            watchdog.CancelAfter(_options.ConnectTimeout);
            using var killOnStall = watchdog.Token.Register(ffmpeg.Kill);
            using var retryDetect = _detectOnMainStream && _options.DetectUrl is not null ? new CancellationTokenSource(DetectStreamRetryInterval, _clock) : null;
            using var killForRetry = retryDetect?.Token.Register(ffmpeg.Kill);
            _detector.Reset();
            long frames = 0;
            try
            {
                while (await ffmpeg.Output.ReadAtLeastAsync(frame, frame.Length, throwOnEndOfStream: false, CancellationToken.None) == frame.Length)
                {
                    frames++;
                    watchdog.CancelAfter(_options.FrameTimeout);
                    OnDetectFrame(frame);
                }
            }
            catch (IOException)
            {
                // the pipe broke: ffmpeg died or was killed
            }

            if (retryDetect?.IsCancellationRequested == true && !watchdog.IsCancellationRequested)
            {
                return (frames, RetryDetectStream);
            }

            var stalled = watchdog.IsCancellationRequested && !token.IsCancellationRequested;
            return (frames, stalled
                ? frames == 0 ? $"no frame within connect_timeout_s ({_options.ConnectTimeout.TotalSeconds:0.#} s)" : $"no frame within frame_timeout_s ({_options.FrameTimeout.TotalSeconds:0.#} s): stalled"
                : Describe(ffmpeg));
        }
    }

    private void OnDetectFrame(byte[] frame)
    {
        var now = _clock.GetUtcNow();
        _lastFrameAt = now;
        var colour = _liveDetector is not null;
        if (_liveFrames?.Wants(_cameraName, now) == true)
        {
            _liveFrames.Offer(_cameraName, frame, _options.DetectWidth, _options.DetectHeight, now, colour ? 3 : 1);
        }

        var gray = colour ? ToGray(frame, _gray) : frame;
        var changedPct = _detector.Measure(gray);
        lock (_gate)
        {
            var before = _stateMachine.State;
            var command = _stateMachine.OnFrame(now, changedPct);
            if (_options.DebugMotion)
            {
                _logger.LogDebug("Camera {Camera}: {ChangedPct:0.00}% changed ({Pixels} pixels), {Before} -> {After}",
                    _cameraName, changedPct, _detector.LastChangedPixels, before, _stateMachine.State);
            }

            if (command == RecordingCommand.StartRecording)
            {
                _logger.LogInformation("Camera {Camera}: motion ({ChangedPct:0.0}% changed), recording with {PreRoll:0.#} s of pre-roll",
                    _cameraName, changedPct, _options.PreRoll.TotalSeconds);
            }

            Apply(command, now);
            if (colour && _recorder?.IsRecording == true && _currentRecording is { } recording && now - _lastLiveLook >= _liveInterval)
            {
                LookLive(frame, recording.Id, recording.StartedAt, now);
            }
        }
    }

    /// <summary>
    /// Runs the detector on a copy of the frame, at most one at a time (a slow model skips frames instead of queueing
    /// them), and reports what it found. Called under <c>_gate</c>; the detection itself runs outside it.
    /// </summary>
    private void LookLive(byte[] frame, ClipId clipId, DateTimeOffset startedAt, DateTimeOffset frameAt)
    {
        if (Interlocked.CompareExchange(ref _liveBusy, 1, 0) != 0)
        {
            return;
        }

        _lastLiveLook = frameAt;
        var copy = frame.ToArray();
        _ = Task.Run(async () =>
        {
            try
            {
                var boxes = await _liveDetector!.DetectFrameAsync(copy, _options.DetectWidth, _options.DetectHeight, CancellationToken.None);
                _liveFailures = 0;
                if (boxes.Count > 0)
                {
                    _liveDetections.Writer.TryWrite(new Alerts.Live.LiveDetection(clipId, _cameraName, startedAt, frameAt, boxes, _options.DetectWidth, _options.DetectHeight));
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The clip's filter still runs after the recording: a failed live look costs only the early alert.
                if (_liveFailures++ == 0)
                {
                    _logger.LogWarning("Camera {Camera}: live detection failed ({Error}); the clip is still filtered when it is finished", _cameraName, ex.Message);
                }
            }
            finally
            {
                Volatile.Write(ref _liveBusy, 0);
            }
        });
    }

    /// <summary>BT.601 luma of packed RGB24 (what ffmpeg's gray output would have been, within rounding).</summary>
    private static byte[] ToGray(byte[] rgb, byte[] gray)
    {
        for (int i = 0, j = 0; i < gray.Length; i++, j += 3)
        {
            gray[i] = (byte)(((77 * rgb[j]) + (150 * rgb[j + 1]) + (29 * rgb[j + 2])) >> 8);
        }

        return gray;
    }

    private async Task RunMainStreamLoopAsync(CancellationToken token)
    {
        var reconnect = new ReconnectPolicy(_options.Backoff, _options.MaxBackoff, _options.MaxAttempts);
        var buffer = new byte[TsPacket.Size * 350];
        while (true)
        {
            var (bytes, reason) = await CopyMainStreamAsync(buffer, token);
            token.ThrowIfCancellationRequested();
            if (bytes > 0)
            {
                reconnect.Connected();
            }

            if (!reconnect.Failed())
            {
                throw new RtspSourceException(_redactor.Redact($"camera {_cameraName}: main stream {UrlRedactor.RedactUrls(_options.MainUrl)} failed {reconnect.ConsecutiveFailures} times in a row (max_attempts): {reason}"));
            }

            var delay = reconnect.NextDelay();
            _logger.LogWarning("Camera {Camera}: main stream {Url} ended after {Bytes} bytes ({Reason}); reconnecting in {Delay:0.0} s (attempt {Attempt})",
                _cameraName, UrlRedactor.RedactUrls(_options.MainUrl), bytes, _redactor.Redact(reason), delay.TotalSeconds, reconnect.ConsecutiveFailures + 1);
            await Task.Delay(delay, _clock, token);
        }
    }

    private async Task<(long Bytes, string Reason)> CopyMainStreamAsync(byte[] buffer, CancellationToken token)
    {
        FfmpegChild ffmpeg;
        try
        {
            ffmpeg = FfmpegChild.Start(_options.FfmpegPath, FfmpegArguments.MainStreamCopy(_options), _redactor);
        }
        catch (InvalidOperationException ex)
        {
            return (0, ex.Message);
        }

        await using (ffmpeg)
        {
            using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(token);
            watchdog.CancelAfter(_options.ConnectTimeout);
            using var killOnStall = watchdog.Token.Register(ffmpeg.Kill);
            lock (_gate)
            {
                _recorder?.StreamRestarted(_clock.GetUtcNow());
            }

            long total = 0;
            var filled = 0;
            try
            {
                int read;
                while ((read = await ffmpeg.Output.ReadAsync(buffer.AsMemory(filled), CancellationToken.None)) > 0)
                {
                    total += read;
                    filled += read;
                    Interlocked.Exchange(ref _mainDataAtTicks, _clock.GetUtcNow().UtcTicks);
                    watchdog.CancelAfter(_options.FrameTimeout);
                    var start = Resynchronise(buffer.AsSpan(0, filled));
                    var whole = (filled - start) / TsPacket.Size * TsPacket.Size;
                    lock (_gate)
                    {
                        _recorder?.Feed(buffer.AsSpan(start, whole), _clock.GetUtcNow());
                    }

                    var rest = filled - start - whole;
                    buffer.AsSpan(start + whole, rest).CopyTo(buffer);
                    filled = rest;
                }
            }
            catch (IOException)
            {
                // the pipe broke: ffmpeg died or was killed
            }

            var stalled = watchdog.IsCancellationRequested && !token.IsCancellationRequested;
            return (total, stalled
                ? total == 0 ? $"no data within connect_timeout_s ({_options.ConnectTimeout.TotalSeconds:0.#} s)" : $"no data within frame_timeout_s ({_options.FrameTimeout.TotalSeconds:0.#} s): stalled"
                : Describe(ffmpeg));
        }
    }

    /// <summary>Where whole packets start: the first sync byte followed by another one packet later.</summary>
    private static int Resynchronise(ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < Math.Min(TsPacket.Size, data.Length); i++)
        {
            if (data[i] == TsPacket.SyncByte && (i + TsPacket.Size >= data.Length || data[i + TsPacket.Size] == TsPacket.SyncByte))
            {
                return i;
            }
        }

        return Math.Min(TsPacket.Size, data.Length);
    }

    private async Task RunTicksAsync(CancellationToken token)
    {
        using var timer = new PeriodicTimer(TickInterval, _clock);
        while (await timer.WaitForNextTickAsync(token))
        {
            lock (_gate)
            {
                Apply(_stateMachine.OnTick(_clock.GetUtcNow()), _clock.GetUtcNow());
            }
        }
    }

    private void Apply(RecordingCommand command, DateTimeOffset now)
    {
        switch (command)
        {
            case RecordingCommand.StartRecording:
                _recorder?.Start(now);
                break;
            case RecordingCommand.StopRecording:
                _logger.LogInformation("Camera {Camera}: no motion for {StopDelay:0.#} s, finishing the clip", _cameraName, _options.StopDelay.TotalSeconds);
                _recorder?.Stop(now);
                break;
            case RecordingCommand.RotateRecording:
                _logger.LogInformation("Camera {Camera}: clip reached max_recording_s ({Max:0.#} s), going on in a new clip", _cameraName, _options.MaxRecording.TotalSeconds);
                _recorder?.RotateAtNextKeyframe();
                break;
        }
    }

    private async Task RunFinalizerAsync(ClipManifest manifest, ChannelWriter<RecordedClip> clips, CancellationToken token)
    {
        await foreach (var recording in _finishedRecordings.Reader.ReadAllAsync(token))
        {
            if (await FinalizeAsync(manifest, recording.TsPath, recording.StartedAt, recording.EndedAt, resumed: false, token) is { } clip)
            {
                await clips.WriteAsync(clip, token);
            }
        }
    }

    /// <summary>
    /// .ts → .mp4 (stream copy), then the manifest, then the .ts is deleted: a crash at any point leaves
    /// either the .ts (finalized again at start) or a manifest entry (handed over again if not processed).
    /// </summary>
    private async Task<RecordedClip?> FinalizeAsync(ClipManifest manifest, string tsPath, DateTimeOffset startedAt, DateTimeOffset endedAt, bool resumed, CancellationToken token)
    {
        var clipId = ClipId.Parse(Path.GetFileNameWithoutExtension(tsPath));
        var mp4Path = Path.ChangeExtension(tsPath, ".mp4");
        if (manifest.HasClip(clipId) && File.Exists(mp4Path))
        {
            File.Delete(tsPath);
            return null;
        }

        var partial = mp4Path + ".partial";
        var remux = await FfmpegProcess.RunAsync(_options.FfmpegPath, FfmpegArguments.Remux(tsPath, partial), token);
        if (remux.ExitCode != 0 || !File.Exists(partial) || new FileInfo(partial).Length == 0)
        {
            File.Delete(partial);
            File.Move(tsPath, tsPath + ".failed", overwrite: true);
            _logger.LogError("Camera {Camera}: recording {Path} could not be turned into an MP4 (kept as .ts.failed): {Error}",
                _cameraName, tsPath, _redactor.Redact(remux.StandardError.Trim()));
            return null;
        }

        File.Move(partial, mp4Path, overwrite: true);
        var file = new FileInfo(mp4Path);
        await manifest.AddAsync(new ClipManifest.Entry(clipId, mp4Path, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero), Done: false), token);
        File.Delete(tsPath);
        _logger.LogInformation("Camera {Camera}: clip {ClipId} recorded ({Seconds:0.#} s, {Bytes} bytes)", _cameraName, clipId, (endedAt - startedAt).TotalSeconds, file.Length);
        return new RecordedClip(clipId, _cameraName, mp4Path, startedAt, endedAt, file.Length, resumed);
    }

    /// <summary>Recordings a crash cut short (.ts) and finished MP4s the manifest never heard of.</summary>
    private async Task<List<RecordedClip>> RecoverLeftoversAsync(ClipManifest manifest, CancellationToken token)
    {
        var recovered = new List<RecordedClip>();
        foreach (var ts in Directory.GetFiles(_options.OutputDir, "*.ts").Order(StringComparer.Ordinal))
        {
            if (!IsClipFile(ts, out var clipId))
            {
                continue;
            }

            var endedAt = new DateTimeOffset(File.GetLastWriteTimeUtc(ts), TimeSpan.Zero);
            _logger.LogWarning("Camera {Camera}: finalizing recording {ClipId} that was cut short by a stop or crash", _cameraName, clipId);
            if (await FinalizeAsync(manifest, ts, StartOf(clipId, endedAt), endedAt, resumed: true, token) is { } clip)
            {
                recovered.Add(clip);
            }
        }

        foreach (var mp4 in Directory.GetFiles(_options.OutputDir, "*.mp4").Order(StringComparer.Ordinal))
        {
            if (IsClipFile(mp4, out var clipId) && !manifest.HasClip(clipId))
            {
                var file = new FileInfo(mp4);
                var modified = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
                await manifest.AddAsync(new ClipManifest.Entry(clipId, mp4, file.Length, modified, Done: false), token);
                recovered.Add(new RecordedClip(clipId, _cameraName, mp4, StartOf(clipId, modified), modified, file.Length, Resumed: true));
            }
        }

        return recovered;
    }

    private bool IsClipFile(string path, out ClipId clipId)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        clipId = default;
        if (!name.StartsWith(_cameraName + "-", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            clipId = ClipId.Parse(name);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private string NewRecordingPath(DateTimeOffset startedAt)
    {
        for (var collision = 0; ; collision++)
        {
            var clipId = ClipId.For(_cameraName, startedAt, collision);
            var ts = Path.Combine(_options.OutputDir, clipId.Value + ".ts");
            if (!_usedClipIds.Contains(clipId) && !File.Exists(ts) && !File.Exists(Path.ChangeExtension(ts, ".mp4")))
            {
                _usedClipIds.Add(clipId);
                _currentRecording = (clipId, startedAt); // what live detections of this recording belong to
                return ts;
            }
        }
    }

    private string Describe(FfmpegChild ffmpeg)
    {
        var errors = ffmpeg.ErrorTail;
        return _redactor.Redact(errors.Length > 0 ? $"ffmpeg: {errors}" : "ffmpeg ended the stream");
    }

    /// <summary>The start time a clip id carries (second resolution), for clips recovered after a restart.</summary>
    private static DateTimeOffset StartOf(ClipId clipId, DateTimeOffset fallback)
    {
        var match = ClipIdTimestamp().Match(clipId.Value);
        return match.Success && DateTimeOffset.TryParseExact(match.Groups[1].Value, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var startedAt)
            ? startedAt
            : fallback;
    }

    [GeneratedRegex(@"-(\d{8}T\d{6}Z)(-\d+)?$")]
    private static partial Regex ClipIdTimestamp();
}
