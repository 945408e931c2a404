using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using HomeSec.Actors.Metrics;
using HomeSec.Core.Inference;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Actors.Inference;

/// <summary>
/// Owns one ONNX Runtime session. Requests that arrive together are run as one batch: the first request
/// of a quiet period sends the actor a <see cref="Flush"/> that lands behind every request already in the
/// mailbox, and requests that arrive while a run is going on form the next batch (up to the maximum batch).
/// The run itself is off the actor thread; each request gets its own reply, failures as values.
/// </summary>
public sealed class InferenceActor : ReceiveActor
{
    private readonly DetectorModel _model;
    private readonly InferenceOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HomeSecMetrics _metrics = HomeSecMetrics.Of(Context.System);
    private readonly Queue<Pending> _queue = new();
    private readonly BatchLatencyWindow _recent = new();
    private OnnxDetectorSession? _session;
    private Task? _running;
    private IReadOnlyList<Pending> _runningBatch = [];
    private bool _flushScheduled;
    private long _batches;
    private long _frames;
    private double _lastBatchMs;

    public InferenceActor(DetectorModel model, InferenceOptions options)
    {
        _model = model;
        _options = options;
        Receive<Detect>(OnDetect);
        Receive<Flush>(_ =>
        {
            _flushScheduled = false;
            StartBatchIfIdle();
        });
        Receive<BatchFinished>(OnBatchFinished);
        Receive<GetInferenceStatus>(_ => Sender.Tell(new InferenceStatus(true, _model.Name, _session?.Provider, _options.Workers, _batches, _frames, _lastBatchMs,
            _session?.MaxBatch ?? _options.MaxBatch)
        {
            Device = _session?.Device,
            Queued = _queue.Count,
            Recent = _recent.Snapshot(Environment.TickCount64),
        }));
    }

    public static Props Props(DetectorModel model, InferenceOptions options) => Akka.Actor.Props.Create(() => new InferenceActor(model, options));

    protected override void PreStart()
    {
        _session = OnnxDetectorSession.Open(_model, _options);
        _log.Info("inference: model {0} ({1}, {2} classes) on execution provider {3}, {4} threads, batches of up to {5}",
            _model.Name, $"{_model.InputWidth}x{_model.InputHeight}", _model.ClassNames.Count, _session.Provider, _options.Threads, _session.MaxBatch);
    }

    protected override void PostStop()
    {
        // Nobody would answer these any more: say so now rather than let each filter wait for its timeout.
        foreach (var (request, replyTo) in _runningBatch.Concat(_queue))
        {
            replyTo.Tell(new DetectResult(request.RequestId, null, "the inference actor stopped before running this frame"));
        }

        var session = _session;
        // A run still going on uses the session: dispose it when that run ends.
        if (_running is { IsCompleted: false } running)
        {
            running.ContinueWith(_ => session?.Dispose(), TaskScheduler.Default);
        }
        else
        {
            session?.Dispose();
        }

        base.PostStop();
    }

    private void OnDetect(Detect request)
    {
        if (request.Frame.Length < _model.FrameLength)
        {
            Sender.Tell(new DetectResult(request.RequestId, null, $"a frame of {request.Frame.Length} bytes is smaller than the model input ({_model.FrameLength})"));
            return;
        }

        _queue.Enqueue(new Pending(request, Sender));
        if (_running is null && !_flushScheduled)
        {
            _flushScheduled = true;
            Self.Tell(Flush.Instance);
        }
    }

    private void StartBatchIfIdle()
    {
        if (_running is not null || _queue.Count == 0 || _session is not { } session)
        {
            return;
        }

        var batch = new List<Pending>(Math.Min(_queue.Count, session.MaxBatch));
        while (batch.Count < session.MaxBatch && _queue.TryDequeue(out var next))
        {
            batch.Add(next);
        }

        var running = Task.Run(() =>
        {
            var stopwatch = Stopwatch.StartNew();
            var results = session.Detect(batch.Select(p => p.Request.Frame).ToList(), batch.Select(p => p.Request.MinConfidence).ToList());
            return new BatchFinished(batch, results, null, stopwatch.Elapsed.TotalMilliseconds);
        });
        _running = running;
        _runningBatch = batch;
        running.PipeTo(Self, failure: ex => new BatchFinished(batch, null, ex, 0));
    }

    private void OnBatchFinished(BatchFinished finished)
    {
        _running = null;
        _runningBatch = [];
        _batches++;
        _frames += finished.Batch.Count;
        _lastBatchMs = finished.ElapsedMs;
        if (finished.Error is null)
        {
            _recent.Record(finished.ElapsedMs, finished.Batch.Count, Environment.TickCount64);
        }
        _metrics.InferenceBatchFinished(finished.Batch.Count, finished.Error is null ? TimeSpan.FromMilliseconds(finished.ElapsedMs) : null);
        if (finished.Error is { } error)
        {
            _log.Warning("inference: a run of {0} frames failed: {1}", finished.Batch.Count, error.GetBaseException().Message);
        }

        for (var i = 0; i < finished.Batch.Count; i++)
        {
            var (request, replyTo) = finished.Batch[i];
            replyTo.Tell(finished.Results is { } results
                ? new DetectResult(request.RequestId, results[i], null)
                : new DetectResult(request.RequestId, null, finished.Error?.GetBaseException().Message ?? "inference failed"));
        }

        StartBatchIfIdle();
    }

    private sealed record Pending(Detect Request, IActorRef ReplyTo);

    private sealed record Flush
    {
        public static Flush Instance { get; } = new();
    }

    private sealed record BatchFinished(IReadOnlyList<Pending> Batch, IReadOnlyList<Detection>[]? Results, Exception? Error, double ElapsedMs);
}
