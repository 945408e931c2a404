using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Cluster;

/// <summary>
/// Two daemons on loopback: an NVR (a local_folder camera, the yolo filter, role nvr) and an inference node (role
/// inference, the same model, no cameras). Clips are filtered on the inference node; when it is killed with SIGKILL
/// (as a burst arrives, in the middle of it, late in it) every clip still completes, and once it is back frames go to it again.
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

    [Fact]
    public async Task Should_print_members_roles_and_the_leader_when_inspect_cluster_asks_a_running_nvr()
    {
        // Given
        var nvr = ClusterSandbox.Loopback("nvr");
        var gpu = ClusterSandbox.Loopback("gpu");
        await _sandbox.MakeRedBoxClipAsync();
        await using var nvrProcess = _sandbox.Start(nvr, _sandbox.WriteNvrConfig(nvr));
        await using var gpuProcess = _sandbox.Start(gpu, _sandbox.WriteInferenceConfig(gpu, nvr));
        await _sandbox.WaitForReadyInferenceNodeAsync(nvr, nvrProcess, gpuProcess);

        // When
        var (exitCode, output) = await DaemonProcess.RunToEndAsync(_sandbox.Root, "inspect", "cluster", "--url", $"http://{nvr.Host}:{nvr.HealthPort}");

        // Then
        Assert.Equal(0, exitCode);
        Assert.Contains(gpu.Address, output, StringComparison.Ordinal);
        Assert.Contains(nvr.Address, output, StringComparison.Ordinal);
        Assert.Contains("inference", output, StringComparison.Ordinal);
        Assert.Contains("leader", output, StringComparison.Ordinal);
    }

    public void Dispose() => _sandbox.Dispose();
}
