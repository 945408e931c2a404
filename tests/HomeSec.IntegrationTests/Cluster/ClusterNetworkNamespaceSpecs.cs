using HomeSec.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace HomeSec.IntegrationTests.Cluster;

/// <summary>
/// The cluster story of <see cref="ClusterScenario"/> with the NVR and the inference node in two network namespaces
/// joined by a veth pair, over mutual TLS with the household certificate, so remoting crosses a real interface (its own addresses, MTU and TCP stack state) instead of
/// loopback. Where namespaces cannot be made (not root, no <c>ip netns</c>) the spec says so and passes without running.
/// </summary>
public sealed class ClusterNetworkNamespaceSpecs(ITestOutputHelper output) : IDisposable
{
    private readonly ClusterSandbox _sandbox = new();

    [Fact]
    public async Task Should_filter_across_a_veth_pair_complete_every_clip_when_the_inference_node_is_killed_and_use_it_again_when_it_is_back()
    {
        // Given: two namespaces, a node in each (skipped cleanly where they cannot be made)
        var (pair, whyNot) = NetworkNamespacePair.TryCreate();
        if (pair is null)
        {
            output.WriteLine($"skipped: {whyNot}");
            return;
        }

        using (pair)
        {
            var nvr = new ClusterNode("nvr", pair.FirstAddress, LoopbackPort.Free(), LoopbackPort.Free(), pair.First);
            var gpu = new ClusterNode("gpu", pair.SecondAddress, LoopbackPort.Free(), LoopbackPort.Free(), pair.Second);

            // When, Then: see ClusterScenario; beyond loopback remoting must run over TLS (the household certificate)
            await ClusterScenario.KillAndRestartInferenceNodeAsync(_sandbox, nvr, gpu, KillMoment.MidBurst, tls: true);
        }
    }

    public void Dispose() => _sandbox.Dispose();
}
