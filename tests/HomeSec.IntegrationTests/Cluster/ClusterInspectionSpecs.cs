using System.Text.Json;
using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Cluster;

/// <summary>
/// Petabridge.Cmd's reach, through the daemon's own surfaces, on two real daemons (an NVR and an inference node on
/// loopback) that have filtered a clip: <c>inspect cluster</c>, <c>inspect inference</c>, <c>inspect actors</c>,
/// <c>logs -f</c>, and <c>cluster leave|down</c> (a write: refused without a token, a sentence for a member that is not one).
/// One pair of daemons for the whole story: starting a cluster is the slow part.
/// </summary>
public sealed class ClusterInspectionSpecs : IDisposable
{
    private readonly ClusterSandbox _sandbox = new();

    [Fact]
    public async Task Should_show_members_pools_and_actors_follow_the_log_and_let_a_member_leave_when_the_cli_asks_a_running_nvr()
    {
        // Given: the pair has filtered one clip on the inference node; a terminal follows the NVR's log
        var nvr = ClusterSandbox.Loopback("nvr");
        var gpu = ClusterSandbox.Loopback("gpu");
        var clip = await _sandbox.MakeRedBoxClipAsync();
        var nvrConfig = _sandbox.WriteNvrConfig(nvr);
        await using var nvrProcess = _sandbox.Start(nvr, nvrConfig);
        await using var gpuProcess = _sandbox.Start(gpu, _sandbox.WriteInferenceConfig(gpu, nvr));
        await _sandbox.WaitForReadyInferenceNodeAsync(nvr, nvrProcess, gpuProcess);
        await _sandbox.DropClipsAsync(clip, 1);
        await _sandbox.WaitForCompletedAsync(nvrProcess, 1);
        var url = $"http://{nvr.Host}:{nvr.HealthPort}";
        await using var follower = DaemonProcess.Start(_sandbox.Root, "logs", "-f", "-n", "200", "--config", nvrConfig);
        await Eventually.WaitForAsync(() => follower.Output.Contains("inference: frames may go to", StringComparison.Ordinal), ClusterSandbox.Patience,
            "logs -f printing the kept lines", () => follower.Output);

        // When
        var cluster = await RunAsync("inspect", "cluster", "--url", url);
        var inference = await RunAsync("inspect", "inference", "--url", url);
        var inferenceJson = await RunAsync("inspect", "inference", "--json", "--url", url);
        var actors = await RunAsync("inspect", "actors", "--depth", "2", "--url", url);
        var leaveWithoutToken = await RunAsync("cluster", "leave", gpu.Address, "--url", url);
        var downNobody = await RunAsync("cluster", "down", "127.0.0.1:1", "--config", nvrConfig);
        var leaveSelf = await RunAsync("cluster", "leave", nvr.Address, "--config", nvrConfig);
        var leave = await RunAsync("cluster", "leave", $"{gpu.Host}:{gpu.RemotingPort}", "--config", nvrConfig);
        await Eventually.WaitForAsync(() => gpuProcess.HasExited, ClusterSandbox.Patience, "the inference node leaving and exiting", () => gpuProcess.Output);
        await Eventually.WaitForAsync(async () => await _sandbox.TryGetAsync(nvr, "/health/cluster") is { } view &&
            view.GetProperty("members").EnumerateArray().All(m => m.GetProperty("address").GetString() != gpu.Address) ? "gone" : null,
            ClusterSandbox.Patience, "the inference node gone from the NVR's view", () => nvrProcess.Output);
        await Eventually.WaitForAsync(() => follower.Output.Contains($"asked {gpu.Address} to leave", StringComparison.Ordinal), ClusterSandbox.Patience,
            "logs -f printing the leave as it happened", () => follower.Output);

        // Then: inspect cluster lists both members with the time each came up
        Assert.Equal(0, cluster.ExitCode);
        Assert.Contains(gpu.Address, cluster.Output, StringComparison.Ordinal);
        Assert.Contains(nvr.Address, cluster.Output, StringComparison.Ordinal);
        Assert.Contains("leader", cluster.Output, StringComparison.Ordinal);
        Assert.Contains(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), cluster.Output, StringComparison.Ordinal);

        // Then: inspect inference shows the inference node's pool as it answered over the cluster, with its recent latency
        Assert.Equal(0, inference.ExitCode);
        Assert.Contains(gpu.Address, inference.Output, StringComparison.Ordinal);
        Assert.Contains("P99 MS", inference.Output, StringComparison.Ordinal);
        using var nodes = JsonDocument.Parse(inferenceJson.Output);
        var remote = nodes.RootElement.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("address").GetString() == gpu.Address);
        Assert.True(remote.GetProperty("answered").GetBoolean());
        var pool = remote.GetProperty("pool");
        Assert.Equal("cpu", pool.GetProperty("execution_provider").GetString());
        Assert.StartsWith("cpu ", pool.GetProperty("device").GetString(), StringComparison.Ordinal);
        Assert.True(pool.GetProperty("frames").GetInt64() > 0, "the inference node ran the clip's frames");
        Assert.True(pool.GetProperty("recent").GetProperty("p50_ms").GetDouble() > 0, "a p50 of the last minute's runs");
        Assert.True(pool.GetProperty("recent").GetProperty("p99_ms").GetDouble() >= pool.GetProperty("recent").GetProperty("p50_ms").GetDouble());
        Assert.True(remote.GetProperty("routed").GetProperty("sent").GetInt64() > 0, "the router's own count for the node");

        // Then: inspect actors shows the tree with types and child counts
        Assert.Equal(0, actors.ExitCode);
        Assert.Contains("inference-router  [InferenceRouter]", actors.Output, StringComparison.Ordinal);
        Assert.Contains("inference  [RoundRobinPool of InferenceActor]  1 child", actors.Output, StringComparison.Ordinal);
        Assert.Matches(@"\d+ actors", actors.Output);

        // Then: leave and down are writes, answered with sentences; the member that was asked left, the NVR did not
        Assert.Equal(1, leaveWithoutToken.ExitCode);
        Assert.Contains("wants a token", leaveWithoutToken.Output, StringComparison.Ordinal);
        Assert.Equal(2, downNobody.ExitCode);
        Assert.Contains("no member of the cluster is at '127.0.0.1:1'", downNobody.Output, StringComparison.Ordinal);
        Assert.Equal(1, leaveSelf.ExitCode);
        Assert.Contains("is the node answering this request", leaveSelf.Output, StringComparison.Ordinal);
        Assert.Equal(0, leave.ExitCode);
        Assert.Contains($"{gpu.Address} is leaving the cluster", leave.Output, StringComparison.Ordinal);
        Assert.Equal(75, gpuProcess.ExitCode);
        Assert.False(nvrProcess.HasExited, "the NVR stays up");
        Assert.False(follower.HasExited, "logs -f is still following");
        Assert.DoesNotContain("homesec: ", follower.Output, StringComparison.Ordinal); // the CLI's own errors; the daemon's lines may well name exceptions
    }

    public void Dispose() => _sandbox.Dispose();

    private async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments) =>
        await DaemonProcess.RunToEndAsync(_sandbox.Root, arguments);
}
