using System.Collections.Concurrent;
using Akka.Actor;
using HomeSec.Core.Inference;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Actors.Inference;

/// <summary>
/// The <see cref="IDetector"/> plugins get: tells the inference pool and completes a task when
/// <see cref="InferenceReplies"/> passes the reply on. No blocking and no Ask; cancelling forgets the
/// request (a late reply is dropped). Bound to the pool once the actor tree has started it.
/// </summary>
public sealed class InferenceClient : IDetector, IInferenceHost
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource<IReadOnlyList<Detection>>> _pending = new();
    private long _nextId;
    private volatile Binding? _binding;

    /// <summary>The model and settings the pool runs; null until a plugin asked for a detector.</summary>
    public (DetectorModel Model, InferenceOptions Options)? Requested { get; private set; }

    public int PendingRequests => _pending.Count;

    public IDetector Detector(DetectorModel model, InferenceOptions options)
    {
        if (Requested is { } existing && existing.Model.Path != model.Path)
        {
            throw new InvalidOperationException($"the inference pool already runs '{existing.Model.Path}'; one model per process");
        }

        Requested = (model, options);
        return this;
    }

    public void Bind(IActorRef pool, IActorRef replies) => _binding = new Binding(pool, replies);

    public Task<IReadOnlyList<Detection>> DetectAsync(float[] frame, float minConfidence, CancellationToken cancellationToken)
    {
        var binding = _binding ?? throw new InvalidOperationException("the inference pool has not started");
        cancellationToken.ThrowIfCancellationRequested();
        var id = Interlocked.Increment(ref _nextId);
        var completion = new TaskCompletionSource<IReadOnlyList<Detection>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        var registration = cancellationToken.Register(() =>
        {
            if (_pending.TryRemove(id, out var abandoned))
            {
                abandoned.TrySetCanceled(cancellationToken);
            }
        });
        _ = completion.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        binding.Pool.Tell(new Detect(id, frame, minConfidence), binding.Replies);
        return completion.Task;
    }

    internal void Complete(DetectResult result)
    {
        if (!_pending.TryRemove(result.RequestId, out var completion))
        {
            return;
        }

        if (result.Detections is { } detections)
        {
            completion.TrySetResult(detections);
        }
        else
        {
            completion.TrySetException(new InvalidOperationException($"inference failed: {result.Error}"));
        }
    }

    private sealed record Binding(IActorRef Pool, IActorRef Replies);
}
