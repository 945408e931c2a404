using System.Text.Json;
using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Cluster;

/// <summary>When the inference node is killed with SIGKILL, relative to a burst of clips the NVR is filtering on it.</summary>
public enum KillMoment
{
    /// <summary>Right after the burst lands in the camera folder: frames are on their way, or not yet sent.</summary>
    AsTheBurstArrives,

    /// <summary>Once the inference node has run frames of the burst.</summary>
    MidBurst,

    /// <summary>Once half the burst has completed: the rest is in flight or queued.</summary>
    LateInTheBurst,
}

/// <summary>
/// The whole cluster story, on whatever network the nodes are given (loopback, or two network namespaces): one clip is
/// filtered on the inference node; a burst of 8 follows and the inference node is killed with SIGKILL at
/// <see cref="KillMoment"/>; every clip still completes (re-sent to the NVR's own pool), none fails; the inference node
/// is started again and frames go to it again; the NVR never left the cluster.
/// </summary>
public static class ClusterScenario
{
    /// <param name="tls">Run remoting over TLS with a household certificate made by the CLI (needed beyond loopback).</param>
    public static async Task KillAndRestartInferenceNodeAsync(ClusterSandbox sandbox, ClusterNode nvr, ClusterNode gpu, KillMoment moment, bool tls = false)
    {
        // Given
        var clip = await sandbox.MakeRedBoxClipAsync();
        var certificate = tls ? await sandbox.CreateCertificateAsync("household") : null;
        var nvrConfig = sandbox.WriteNvrConfig(nvr, certificate);
        var gpuConfig = sandbox.WriteInferenceConfig(gpu, nvr, certificate);
        await using var nvrProcess = sandbox.Start(nvr, nvrConfig);
        // Both inference incarnations run under the restart policy users have (compose, systemd): a node that has not
        // joined within cluster.join_timeout_s exits with 75 and is started afresh.
        var gpuProcess = sandbox.StartRestarting(gpu, gpuConfig);
        RestartingDaemon? restarted = null;
        try
        {
            await sandbox.WaitForReadyInferenceNodeAsync(nvr, nvrProcess, gpuProcess);

            // When: one clip while both run
            await sandbox.DropClipsAsync(clip, 1);
            await sandbox.WaitForCompletedAsync(nvrProcess, 1);
            var remoteFrames = ClusterSandbox.Frames(await sandbox.HealthAsync(gpu, gpuProcess));
            var localBefore = ClusterSandbox.Frames(await sandbox.HealthAsync(nvr, nvrProcess));

            // When: a burst, and the inference node killed at the chosen moment
            await sandbox.DropClipsAsync(clip, 8);
            switch (moment)
            {
                case KillMoment.MidBurst:
                    await Eventually.WaitForAsync(async () => await sandbox.TryGetAsync(gpu, "/health") is { } h && ClusterSandbox.Frames(h) > remoteFrames ? "working" : null,
                        ClusterSandbox.Patience, "the inference node working on the burst", () => gpuProcess.Output);
                    break;
                case KillMoment.LateInTheBurst:
                    await sandbox.WaitForCompletedAsync(nvrProcess, 5);
                    break;
            }

            await gpuProcess.KillAsync();
            var killedAt = DateTime.UtcNow;
            await sandbox.WaitForCompletedAsync(nvrProcess, 9);
            var afterKill = DateTime.UtcNow - killedAt;
            var nvrAfterKill = await sandbox.HealthAsync(nvr, nvrProcess);

            // When: the inference node is started again (same address, a new incarnation) and one more clip arrives
            restarted = sandbox.StartRestarting(gpu, gpuConfig);
            await sandbox.WaitForReadyInferenceNodeAsync(nvr, nvrProcess, restarted);
            await sandbox.DropClipsAsync(clip, 1);
            await sandbox.WaitForCompletedAsync(nvrProcess, 10);
            var restartedFrames = ClusterSandbox.Frames(await sandbox.HealthAsync(gpu, restarted));
            var cluster = await sandbox.TryGetAsync(nvr, "/health/cluster");
            var transport = (await sandbox.HealthAsync(nvr, nvrProcess)).GetProperty("inference").GetProperty("routing").GetProperty("nodes")
                .EnumerateArray().Select(n => n.GetProperty("transport").GetString()).FirstOrDefault();

            // Then
            Assert.True(remoteFrames > 0, "the first clip's frames were run on the inference node");
            Assert.Equal(0, localBefore);
            var routing = nvrAfterKill.GetProperty("inference").GetProperty("routing");
            Assert.Equal(0, routing.GetProperty("failed").GetInt64());
            Assert.True(restartedFrames > 0, "frames went to the restarted inference node");
            Assert.False(nvrProcess.HasExited, "the NVR never left the cluster");
            var self = cluster!.Value.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("self").GetBoolean());
            Assert.Equal("up", self.GetProperty("status").GetString());
            Assert.Equal(10, sandbox.Completed());
            Assert.DoesNotContain("clip_failed", nvrProcess.Output, StringComparison.Ordinal);
            Console.WriteLine($"cluster ({moment}{(tls ? ", TLS" : "")}, {nvr.Host} and {gpu.Host}): remote frames {remoteFrames}; after the kill the burst finished in {afterKill.TotalSeconds:0.0} s; " +
                $"resent {routing.GetProperty("resent").GetInt64()}, sent_local {routing.GetProperty("sent_local").GetInt64()}, " +
                $"sent_remote {routing.GetProperty("sent_remote").GetInt64()}; NVR local frames {ClusterSandbox.Frames(nvrAfterKill)}; frames to the restarted node via {transport}; " +
                $"started afresh for want of a join: {gpuProcess.Restarts} before the kill, {restarted.Restarts} after");
        }
        finally
        {
            if (restarted is not null)
            {
                await restarted.DisposeAsync();
            }

            await gpuProcess.DisposeAsync();
        }
    }

    public static JsonElement Member(JsonElement cluster, string address) =>
        cluster.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("address").GetString() == address);
}
