using HomeSec.Core.Inference;

namespace HomeSec.Actors.Inference;

/// <summary>
/// What crosses the network between the NVR's inference router and the inference nodes' pools; bound to
/// <see cref="Serialization.InferenceSerializer"/> in <c>hocon/homesec.conf</c>.
/// </summary>
public interface IInferenceWireMessage;

/// <summary>Messages of the inference pool (<c>/user/inference</c>) and the cluster's inference router (<c>/user/inference-router</c>).</summary>
public static class InferenceProtocol
{
    /// <summary>
    /// Run the model on one frame (letterboxed RGB24 bytes at the model's input size). The reply goes to the sender. The
    /// frame is only lent: once answered, a frame that came through a frame port carries the next one, so nothing may
    /// keep it past its answer.
    /// </summary>
    public sealed record Detect(long RequestId, byte[] Frame, float MinConfidence) : IInferenceWireMessage;

    /// <summary>The reply to <see cref="Detect"/>: the candidates, or the error of the run as a value.</summary>
    public sealed record DetectResult(long RequestId, IReadOnlyList<Detection>? Detections, string? Error) : IInferenceWireMessage;

    /// <summary>
    /// Asks an inference node's <c>/user/frame-channel</c> (over remoting) where its frame port is; answered with
    /// <see cref="FrameChannelAt"/>, or not at all where the node has none (frames then go over remoting).
    /// </summary>
    public sealed record GetFrameChannel : IInferenceWireMessage
    {
        public static GetFrameChannel Instance { get; } = new();
    }

    /// <summary>The node's frame port; its host is the node's own cluster address (<c>public_hostname</c>).</summary>
    public sealed record FrameChannelAt(int Port) : IInferenceWireMessage;

    /// <summary>Asks the router where frames went; answered with <see cref="InferenceRouting"/>.</summary>
    public sealed record GetInferenceRouting
    {
        public static GetInferenceRouting Instance { get; } = new();
    }

    /// <summary>One inference node as the router sees it.</summary>
    /// <param name="Ready">Up, reachable and its pool found: frames may go there.</param>
    /// <param name="InFlight">Frames sent there and not yet answered (what the router balances by).</param>
    public sealed record InferenceNode(string Address, bool Ready, bool Reachable, int InFlight, long Sent)
    {
        /// <summary>How frames get there: <c>frame port HOST:PORT</c>, <c>remoting</c>, or <c>this node</c>.</summary>
        public string Transport { get; init; } = "remoting";
    }

    /// <param name="SentRemote">Frames sent to inference nodes (re-sends included).</param>
    /// <param name="SentLocal">Frames run by this node's own pool (while no inference node was ready, or as one of them).</param>
    /// <param name="Resent">Frames sent again because their node left, became unreachable or did not answer in time.</param>
    /// <param name="Failed">Frames answered with an error because no node and no local pool could run them.</param>
    public sealed record InferenceRouting(IReadOnlyList<InferenceNode> Nodes, long SentRemote, long SentLocal, long Resent, long Failed, int InFlight)
    {
        public static InferenceRouting None { get; } = new([], 0, 0, 0, 0, 0);
    }

    /// <summary>
    /// Asks one inference actor of the pool how it runs, or a node's <c>/user/homesec</c> how its whole pool runs (also
    /// from another node: so it crosses the wire); answered with <see cref="InferenceStatus"/>.
    /// </summary>
    public sealed record GetInferenceStatus : IInferenceWireMessage
    {
        public static GetInferenceStatus Instance { get; } = new();
    }

    /// <param name="Enabled">False when no filter uses the pool.</param>
    /// <param name="Provider">The execution provider in use: cpu or cuda.</param>
    /// <param name="LastBatchMs">Wall time of the last run (a batch).</param>
    public sealed record InferenceStatus(bool Enabled, string? Model, string? Provider, int Workers, long Batches, long Frames, double LastBatchMs, int MaxBatch)
        : IInferenceWireMessage
    {
        public static InferenceStatus Disabled { get; } = new(false, null, null, 0, 0, 0, 0, 0);

        /// <summary>What runs the model (see <see cref="Core.Inference.OnnxDetectorSession.Device"/>).</summary>
        public string? Device { get; init; }

        /// <summary>Frames waiting for a run (not counting the batch running now).</summary>
        public int Queued { get; init; }

        /// <summary>The runs of the last minute: latency percentiles and frames per second.</summary>
        public Core.Inference.BatchLatency Recent { get; init; } = Core.Inference.BatchLatency.None;
    }

    /// <summary>Asks <c>/user/homesec</c> for every inference node's pool (this node's and, on a cluster's NVR, each node's the router knows); answered with <see cref="InferenceNodes"/>.</summary>
    public sealed record GetInferenceNodes
    {
        public static GetInferenceNodes Instance { get; } = new();
    }

    /// <summary>One node's pool as <c>inspect inference</c> shows it.</summary>
    /// <param name="Status">Null when the node did not answer (then <paramref name="Problem"/> says why).</param>
    /// <param name="Routing">How the router sees the node (null on a node without a router).</param>
    public sealed record InferenceNodeStatus(string Address, bool Self, InferenceStatus? Status, InferenceNode? Routing, string? Problem);

    public sealed record InferenceNodes(IReadOnlyList<InferenceNodeStatus> Nodes);
}
