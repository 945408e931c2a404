using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.TestKit;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Inference;
using HomeSec.Core.Inference;
using Xunit;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Tests.Actors.Inference;

/// <summary>
/// The NVR's inference router in a real two-node cluster on loopback (this test's actor system is the NVR; a second one,
/// with the inference role, plays the GPU box, its <c>/user/inference</c> a probe): frames cross remoting through the
/// binary serializer, and what a node owes is sent elsewhere when it goes away.
/// </summary>
public sealed class InferenceRouterSpecs() : Akka.TestKit.Xunit2.TestKit(NodeConfig("nvr"), "homesec")
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private ActorSystem? _gpuBox;

    private static Akka.Configuration.Config NodeConfig(string role, bool leaveOnTerminate = true) => ConfigurationFactory.ParseString($$"""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0, maximum-frame-size = 4194304b, send-buffer-size = 4194304b, receive-buffer-size = 4194304b }
        akka.cluster.roles = [{{role}}]
        akka.cluster.failure-detector { heartbeat-interval = 200ms, acceptable-heartbeat-pause = 1s }
        akka.coordinated-shutdown.run-by-actor-system-terminate = {{(leaveOnTerminate ? "on" : "off")}}
        akka.loglevel = WARNING
        """).WithFallback(HomeSecAkkaExtensions.HomeSecConfig());

    [Fact]
    public void Should_send_the_frame_to_the_inference_node_and_pass_its_answer_back_under_the_callers_id_when_a_node_is_up()
    {
        // Given
        var gpu = StartGpuBox();
        var local = CreateTestProbe();
        var router = StartRouter(local.Ref, TimeSpan.FromSeconds(10));
        WaitForReadyNodes(router, 1);

        // When
        router.Tell(new Detect(5, [1, 2, 3], 0.5f), TestActor);
        var sent = gpu.ExpectMsg<Detect>(Patience);
        gpu.Reply(new DetectResult(sent.RequestId, [new Detection(0, 0.9f, 1, 2, 3, 4)], null));

        // Then
        var result = ExpectMsg<DetectResult>(Patience);
        Assert.Equal(5, result.RequestId);
        Assert.Equal([new Detection(0, 0.9f, 1, 2, 3, 4)], result.Detections);
        Assert.Equal(new byte[] { 1, 2, 3 }, sent.Frame);
        local.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Should_send_what_the_node_owes_to_the_local_pool_at_once_when_the_inference_node_crashes_mid_batch()
    {
        // Given
        var gpu = StartGpuBox(leaveOnTerminate: false);
        var local = CreateTestProbe();
        var router = StartRouter(local.Ref, TimeSpan.FromMinutes(5));
        WaitForReadyNodes(router, 1);
        for (var id = 1; id <= 3; id++)
        {
            router.Tell(new Detect(id, [(byte)id], 0.5f), TestActor);
            gpu.ExpectMsg<Detect>(Patience);
        }

        // When
        // a crash: no leave, the node just stops answering (the request timeout is far away)
        await _gpuBox!.Terminate();
        var resent = Enumerable.Range(0, 3).Select(_ => local.ExpectMsg<Detect>(Patience)).ToList();
        foreach (var request in resent)
        {
            local.Reply(new DetectResult(request.RequestId, [], null));
        }

        // Then
        var answered = Enumerable.Range(0, 3).Select(_ => ExpectMsg<DetectResult>(Patience).RequestId).Order().ToList();
        Assert.Equal([1L, 2L, 3L], answered);
        Assert.Equal([1, 2, 3], resent.Select(r => (int)r.Frame[0]).Order());
        router.Tell(GetInferenceRouting.Instance, TestActor);
        var routing = ExpectMsg<InferenceRouting>();
        Assert.Equal(3, routing.Resent);
        Assert.Equal(0, routing.InFlight);
    }

    [Fact]
    public void Should_send_frames_through_the_nodes_frame_port_and_send_what_it_owes_to_the_local_pool_at_once_when_the_link_breaks()
    {
        // Given: the GPU box has a frame port in front of its pool
        var gpu = StartGpuBox();
        var frameChannel = _gpuBox!.ActorOf(HomeSec.Actors.Inference.Frames.FrameChannelActor.Props(
            new HomeSec.Actors.Inference.Frames.FrameChannelSettings("127.0.0.1", 0, null, 1024), gpu.Ref), "frame-channel");
        var local = CreateTestProbe();
        var router = StartRouter(local.Ref, TimeSpan.FromMinutes(5));
        AwaitAssert(() =>
        {
            router.Tell(GetInferenceRouting.Instance, TestActor);
            Assert.StartsWith("frame port 127.0.0.1:", ExpectMsg<InferenceRouting>().Nodes.Single(n => n.Ready).Transport, StringComparison.Ordinal);
        }, Patience, TimeSpan.FromMilliseconds(100));
        router.Tell(new Detect(1, [1, 2, 3], 0.5f), TestActor);
        var first = gpu.ExpectMsg<Detect>(Patience);
        // the frame port lends its frame arrays: once answered, a frame's array carries the next one
        var firstFrame = first.Frame.ToArray();
        gpu.Reply(new DetectResult(first.RequestId, [], null));
        ExpectMsg<DetectResult>(Patience);
        router.Tell(new Detect(2, [4, 5, 6], 0.5f), TestActor);
        gpu.ExpectMsg<Detect>(Patience);

        // When: the frame port goes away (the node is still a member: the failure detector has seen nothing)
        _gpuBox.Stop(frameChannel);

        // Then: the frame it owed goes to the local pool at once, and the node gets no frames while its link is down
        var resent = local.ExpectMsg<Detect>(Patience);
        Assert.Equal(new byte[] { 4, 5, 6 }, resent.Frame);
        router.Tell(new Detect(3, [7], 0.5f), TestActor);
        Assert.Equal(new byte[] { 7 }, local.ExpectMsg<Detect>(Patience).Frame);
        gpu.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(new byte[] { 1, 2, 3 }, firstFrame);
    }

    [Fact]
    public void Should_answer_with_an_error_at_once_when_no_inference_node_is_up_and_this_node_has_no_model()
    {
        // Given
        JoinSelf();
        var router = StartRouter(null, TimeSpan.FromSeconds(10));

        // When
        router.Tell(new Detect(9, [0], 0.5f), TestActor);

        // Then
        var result = ExpectMsg<DetectResult>(TimeSpan.FromSeconds(3));
        Assert.Equal(9, result.RequestId);
        Assert.Null(result.Detections);
        Assert.Contains("no inference node is reachable", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_send_a_frame_again_and_fail_it_after_three_tries_when_the_node_never_answers()
    {
        // Given
        var gpu = StartGpuBox();
        var router = StartRouter(null, TimeSpan.FromMilliseconds(300));
        WaitForReadyNodes(router, 1);

        // When
        router.Tell(new Detect(11, [7], 0.5f), TestActor);
        var tries = Enumerable.Range(0, 3).Select(_ => gpu.ExpectMsg<Detect>(Patience)).ToList();

        // Then
        Assert.Equal(3, tries.Select(t => t.RequestId).Distinct().Count());
        var result = ExpectMsg<DetectResult>(Patience);
        Assert.Equal(11, result.RequestId);
        Assert.Contains("in 3 attempts", result.Error, StringComparison.Ordinal);
        // a late answer to a try that was given up on is dropped, not passed on
        gpu.Send(router, new DetectResult(tries[0].RequestId, [], null));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    protected override void AfterAll()
    {
        _gpuBox?.Terminate().Wait(TimeSpan.FromSeconds(10));
        base.AfterAll();
    }

    private void JoinSelf()
    {
        var cluster = Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.State.Members.Any(m => m.Address == cluster.SelfAddress && m.Status == MemberStatus.Up), Patience);
    }

    /// <summary>The second node, with the inference role; its <c>/user/inference</c> forwards to the returned probe.</summary>
    private TestProbe StartGpuBox(bool leaveOnTerminate = true)
    {
        JoinSelf();
        _gpuBox = ActorSystem.Create("homesec", NodeConfig("inference", leaveOnTerminate));
        var probe = CreateTestProbe(_gpuBox);
        _gpuBox.ActorOf(Props.Create(() => new Forwarder(probe.Ref)), "inference");
        Cluster.Get(_gpuBox).Join(Cluster.Get(Sys).SelfAddress);
        AwaitCondition(() => Cluster.Get(Sys).State.Members.Count(m => m.Status == MemberStatus.Up) == 2, Patience);
        return probe;
    }

    private IActorRef StartRouter(IActorRef? local, TimeSpan timeout) =>
        Sys.ActorOf(InferenceRouter.Props(local, new ClusterRoutingSettings(timeout, LocalFallback: true)));

    private void WaitForReadyNodes(IActorRef router, int count) =>
        AwaitAssert(() =>
        {
            router.Tell(GetInferenceRouting.Instance, TestActor);
            Assert.Equal(count, ExpectMsg<InferenceRouting>().Nodes.Count(n => n.Ready));
        }, Patience, TimeSpan.FromMilliseconds(100));

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef target) => ReceiveAny(message => target.Forward(message));
    }
}
