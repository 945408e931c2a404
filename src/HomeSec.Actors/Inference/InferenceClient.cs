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
    private readonly DetectorModel? _pooledModel;
    private long _nextId;
    private volatile Binding? _binding;

    /// <param name="pooledModel">The model the inference pool of this process runs; null when no pool is started (no detector to hand out).</param>
    public InferenceClient(DetectorModel? pooledModel)
    {
        _pooledModel = pooledModel;
    }

    public int PendingRequests => _pending.Count;

    /// <summary>
    /// Hands a plugin the pool's detector. Whether the pool runs, and which model, was decided from the config
    /// before any plugin was built (<see cref="InferenceSettings"/>); a plugin asking for anything else is a bug.
    /// </summary>
    public IDetector Detector(DetectorModel model, InferenceOptions options)
    {
        if (_pooledModel is null)
        {
            throw new InvalidOperationException($"no inference pool runs in this process, so '{model.Path}' cannot be run (the filter's options name no model)");
        }

        if (_pooledModel.Path != model.Path)
        {
            throw new InvalidOperationException($"the inference pool already runs '{_pooledModel.Path}'; one model per process");
        }

        return this;
    }

    public void Bind(IActorRef pool, IActorRef replies) => _binding = new Binding(pool, replies);

    public Task<IReadOnlyList<Detection>> DetectAsync(byte[] frame, float minConfidence, CancellationToken cancellationToken)
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
