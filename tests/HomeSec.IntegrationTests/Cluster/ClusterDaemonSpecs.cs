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

    [Fact]
    public async Task Should_exit_with_75_naming_its_seeds_when_an_inference_node_has_not_joined_within_its_join_timeout()
    {
        // Given: an inference node whose seed (the NVR) does not answer, and a join timeout of 3 s
        var absentNvr = ClusterSandbox.Loopback("nvr");
        var gpu = ClusterSandbox.Loopback("gpu");
        var config = _sandbox.WriteInferenceConfig(gpu, absentNvr, joinTimeoutSeconds: 3);

        // When
        await using var gpuProcess = _sandbox.Start(gpu, config);
        using var patience = new CancellationTokenSource(ClusterSandbox.Patience);
        await gpuProcess.WaitForExitAsync().WaitAsync(patience.Token);

        // Then: code 75 (a restart policy starts it afresh), and a sentence saying why
        Assert.Equal(75, gpuProcess.ExitCode);
        var line = gpuProcess.Output.Split('\n').Single(l => l.Contains("has not joined the cluster", StringComparison.Ordinal));
        Assert.Contains("within 3 s (cluster.join_timeout_s", line, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{absentNvr.RemotingPort}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", gpuProcess.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _sandbox.Dispose();
}
