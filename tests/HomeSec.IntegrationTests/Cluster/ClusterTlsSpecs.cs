using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Cluster;

/// <summary>
/// Remoting over mutual TLS with the household certificate: nodes holding it form the cluster and frames travel; a node
/// holding another certificate (made the same way, by someone else) is refused at the handshake, logged by the NVR, and
/// never becomes a member.
/// </summary>
public sealed class ClusterTlsSpecs : IDisposable
{
    private readonly ClusterSandbox _sandbox = new();

    [Fact]
    public async Task Should_filter_on_a_node_holding_the_household_certificate_and_refuse_and_log_a_node_holding_another()
    {
        // Given
        var nvr = ClusterSandbox.Loopback("nvr");
        var gpu = ClusterSandbox.Loopback("gpu");
        var intruder = ClusterSandbox.Loopback("intruder");
        var clip = await _sandbox.MakeRedBoxClipAsync();
        var household = await _sandbox.CreateCertificateAsync("household");
        var foreign = await _sandbox.CreateCertificateAsync("foreign");
        await using var nvrProcess = _sandbox.Start(nvr, _sandbox.WriteNvrConfig(nvr, household));
        await using var gpuProcess = _sandbox.Start(gpu, _sandbox.WriteInferenceConfig(gpu, nvr, household));
        await _sandbox.WaitForReadyInferenceNodeAsync(nvr, nvrProcess, gpuProcess);

        // When: a clip is filtered, and a node with a foreign certificate tries to join
        await _sandbox.DropClipsAsync(clip, 1);
        await _sandbox.WaitForCompletedAsync(nvrProcess, 1);
        var gpuFrames = ClusterSandbox.Frames(await _sandbox.HealthAsync(gpu, gpuProcess));
        await using var intruderProcess = _sandbox.Start(intruder, _sandbox.WriteInferenceConfig(intruder, nvr, foreign));
        await Eventually.WaitForAsync(() => nvrProcess.Output.Contains("Refused a cluster connection", StringComparison.Ordinal),
            ClusterSandbox.Patience, "the NVR refusing the intruder", () => nvrProcess.Output + "--- intruder ---" + intruderProcess.Output);
        var cluster = await _sandbox.TryGetAsync(nvr, "/health/cluster");

        // Then
        Assert.True(gpuFrames > 0, "frames crossed the TLS connection to the inference node");
        var members = cluster!.Value.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("address").GetString()).ToList();
        Assert.Contains($"akka.ssl.tcp://homesec@127.0.0.1:{gpu.RemotingPort}", members);
        Assert.DoesNotContain(members, m => m!.EndsWith($":{intruder.RemotingPort}", StringComparison.Ordinal));
        Assert.Equal(2, members.Count);
        var refusal = nvrProcess.Output.Split('\n').First(l => l.Contains("Refused a cluster connection", StringComparison.Ordinal));
        Assert.Contains("not the household certificate", refusal, StringComparison.Ordinal);
        Assert.False(nvrProcess.HasExited, "the refusal cost the NVR nothing");
    }

    public void Dispose() => _sandbox.Dispose();
}
