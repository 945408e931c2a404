using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Cluster;

/// <summary>
/// Two daemons on loopback: an NVR (a local_folder camera, the yolo filter, role nvr) and an inference node (role
/// inference, the same model, no cameras). Clips are filtered on the inference node; when it is killed with SIGKILL
/// (as a burst arrives, in the middle of it, late in it) every clip still completes, and once it is back frames go to it again.
/// The inspection commands are specified on the same pair in <see cref="ClusterInspectionSpecs"/>.
/// </summary>
public sealed class ClusterDaemonSpecs : IDisposable
{
    private readonly ClusterSandbox _sandbox = new();

    [Theory]
    [InlineData(KillMoment.AsTheBurstArrives)]
    [InlineData(KillMoment.MidBurst)]
    [InlineData(KillMoment.LateInTheBurst)]
    public async Task Should_filter_on_the_inference_node_complete_every_clip_when_it_is_killed_and_use_it_again_when_it_is_back(KillMoment moment)
    {
        // Given, When, Then: see ClusterScenario (the same story runs across network namespaces in ClusterNetworkNamespaceSpecs)
        await ClusterScenario.KillAndRestartInferenceNodeAsync(_sandbox, ClusterSandbox.Loopback("nvr"), ClusterSandbox.Loopback("gpu"), moment);
    }

    public void Dispose() => _sandbox.Dispose();
}
