using Akka.Actor;
using Akka.TestKit;
using HomeSec.Actors.Clips;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Clips.Workflow;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.AlertPolicies.Default;

namespace HomeSec.Tests.Actors.TestSupport;

/// <summary>
/// Test probes standing in for the worker pools and the repository of a <see cref="ClipPipeline"/>.
/// The repository probe answers every durability request at once (unless <paramref name="answerDurability"/> is off)
/// and keeps those requests out of its queue, so specs see the clip's events only.
/// </summary>
public sealed class PipelineProbes
{
    public PipelineProbes(TestKitBase testKit, bool answerDurability = true)
    {
        Uploads = testKit.CreateTestProbe("uploads");
        Filters = testKit.CreateTestProbe("filters");
        Vlm = testKit.CreateTestProbe("vlm");
        Notify = testKit.CreateTestProbe("notify");
        Repository = testKit.CreateTestProbe("repository");
        if (answerDurability)
        {
            Repository.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
            {
                if (message is HomeSec.Actors.Repository.RepositoryProtocol.AwaitClipDurable request)
                {
                    Interlocked.Increment(ref _durabilityRequests);
                    sender.Tell(new HomeSec.Actors.Repository.RepositoryProtocol.ClipDurable(request.ClipId));
                }

                return AutoPilot.KeepRunning;
            }));
            Repository.IgnoreMessages(m => m is HomeSec.Actors.Repository.RepositoryProtocol.AwaitClipDurable);
        }
    }

    private int _durabilityRequests;

    public TestProbe Uploads { get; }
    public TestProbe Filters { get; }
    public TestProbe Vlm { get; }
    public TestProbe Notify { get; }
    public TestProbe Repository { get; }

    /// <summary>How many times the clip asked whether its events are durable.</summary>
    public int DurabilityRequests => Volatile.Read(ref _durabilityRequests);

    public static RetryConfig FastRetry(int maxAttempts = 3, double backoffMs = 20) =>
        new(maxAttempts, TimeSpan.FromMilliseconds(backoffMs), TimeSpan.FromSeconds(1));

    public static IAlertPolicy Policy(bool notifyOnMotion = true) =>
        new DefaultAlertPolicy(new DefaultAlertPolicyOptions(RiskLevel.Medium, ["delivery"], notifyOnMotion));

    public ClipPipeline Pipeline(
        RetryConfig? retry = null,
        bool vlmEnabled = true,
        IReadOnlyList<string>? notifiers = null,
        IAlertPolicy? policy = null,
        TimeSpan? stageDeadline = null) => new(
        Uploads.Ref,
        Filters.Ref,
        vlmEnabled ? Vlm.Ref : null,
        Notify.Ref,
        Repository.Ref,
        new WorkflowRules(
            "local",
            "test-filter",
            vlmEnabled ? "test-vlm" : null,
            notifiers ?? ["log"],
            ["person"],
            policy ?? Policy(),
            retry ?? FastRetry(),
            new HashSet<string>(StringComparer.Ordinal),
            stageDeadline ?? TimeSpan.FromSeconds(30)),
        TimeProvider.System);

    public static RecordedClip Clip(string camera = "front_door", int second = 0, bool resumed = false)
    {
        var at = new DateTimeOffset(2026, 11, 24, 12, 0, second, TimeSpan.Zero);
        return new RecordedClip(ClipId.For(camera, at), camera, $"/tmp/{camera}-{second}.mp4", at, at.AddSeconds(10), 1234, resumed);
    }

    /// <summary>All clip events the repository probe received until the clip completed, in order.</summary>
    public List<IClipEvent> EventsUntilCompleted(TimeSpan? within = null)
    {
        var events = new List<IClipEvent>();
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (events.LastOrDefault() is not ClipEvents.ClipCompleted)
        {
            var remaining = deadline - DateTime.UtcNow;
            events.Add(Repository.ExpectMsg<IClipEvent>(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1)));
        }

        return events;
    }
}
