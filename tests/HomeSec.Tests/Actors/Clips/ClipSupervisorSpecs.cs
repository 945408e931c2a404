using Akka.Actor;
using Akka.TestKit;
using HomeSec.Actors.Clips;
using HomeSec.Actors.Hosting;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Plugins;
using HomeSec.Core.Results;
using HomeSec.Tests.Actors.TestSupport;
using Xunit;
using static HomeSec.Actors.Clips.ClipProtocol;
using static HomeSec.Actors.Repository.RepositoryProtocol;
using static HomeSec.Actors.Workers.WorkerProtocol;
using static HomeSec.Core.Clips.ClipEvents;

namespace HomeSec.Tests.Actors.Clips;

public sealed class ClipSupervisorSpecs() : Akka.TestKit.Xunit2.TestKit(HomeSecAkkaExtensions.HomeSecConfig())
{
    private static readonly StoredObject Stored = new("local://front_door/x.mp4", "file:///data/storage/front_door/x.mp4");

    [Fact]
    public void Should_alert_with_upload_failed_after_the_retry_budget_and_keep_retrying_the_upload_until_it_is_stored()
    {
        // Given
        var probes = new PipelineProbes(this);
        var clip = PipelineProbes.Clip();
        var parent = CreateTestProbe();

        // When
        parent.ChildActorOf(ClipSupervisor.Props(clip, probes.Pipeline(PipelineProbes.FastRetry(maxAttempts: 2))));
        ReplyToFilter(probes, FilterResult.NoDetector);
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var upload = probes.Uploads.ExpectMsg<StartUpload>();
            probes.Uploads.Reply(new UploadResult(clip.ClipId, upload.Attempt, StageResult<StoredObject>.Fail(new UploadError(clip.ClipId, "local", new IOException("disk full")))));
        }

        var alert = probes.Notify.ExpectMsg<SendAlert>().Alert;
        probes.Notify.Reply(new NotifyResult(clip.ClipId, 1, [StageResult<string>.Ok("log")]));
        Assert.Equal(clip.ClipId, parent.ExpectMsg<ClipWaitingForStorage>().ClipId);
        var third = probes.Uploads.ExpectMsg<StartUpload>(TimeSpan.FromSeconds(5));
        probes.Uploads.Reply(new UploadResult(clip.ClipId, third.Attempt, StageResult<StoredObject>.Ok(Stored)));

        // Then
        Assert.True(alert.UploadFailed);
        Assert.Null(alert.ViewUrl);
        Assert.Null(alert.StorageUri);
        Assert.Equal(3, third.Attempt);
        var events = probes.EventsUntilCompleted();
        Assert.All(events.OfType<UploadFailed>(), f => Assert.True(f.WillRetry));
        Assert.Equal("disk full", events.OfType<UploadFailed>().First().Error.Message);
        Assert.Contains(events, e => e is UploadCompleted);
        Assert.Equal(ClipStatus.Done, parent.ExpectMsg<ClipProcessed>().Status);
    }

    [Fact]
    public void Should_tell_the_parent_the_clip_is_processed_only_after_the_repository_says_its_events_are_durable()
    {
        // Given
        var probes = new PipelineProbes(this, answerDurability: false);
        var clip = PipelineProbes.Clip();
        var parent = CreateTestProbe();
        var supervisor = parent.ChildActorOf(ClipSupervisor.Props(clip, probes.Pipeline(policy: PipelineProbes.Policy(notifyOnMotion: false))));
        ReplyToFilter(probes, FilterResult.NoDetector);
        ReplyToUpload(probes, clip);
        probes.EventsUntilCompleted();

        // When
        var request = probes.Repository.ExpectMsg<AwaitClipDurable>();
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        supervisor.Tell(new ClipDurable(clip.ClipId));

        // Then
        Assert.Equal(clip.ClipId, request.ClipId);
        Assert.Equal(ClipStatus.Done, parent.ExpectMsg<ClipProcessed>().Status);
    }

    [Fact]
    public void Should_stop_without_telling_the_parent_when_the_repository_could_not_keep_the_clips_events()
    {
        // Given
        var probes = new PipelineProbes(this, answerDurability: false);
        var clip = PipelineProbes.Clip();
        var parent = CreateTestProbe();
        var supervisor = parent.ChildActorOf(ClipSupervisor.Props(clip, probes.Pipeline(policy: PipelineProbes.Policy(notifyOnMotion: false))));
        parent.Watch(supervisor);
        ReplyToFilter(probes, FilterResult.NoDetector);
        ReplyToUpload(probes, clip);
        probes.EventsUntilCompleted();
        probes.Repository.ExpectMsg<AwaitClipDurable>();

        // When
        supervisor.Tell(new ClipNotDurable(clip.ClipId, "spool full"));

        // Then
        parent.ExpectTerminated(supervisor);
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Should_wait_until_the_alert_decision_is_durable_before_it_sends_the_alert()
    {
        // Given
        var probes = new PipelineProbes(this, answerDurability: false);
        var clip = PipelineProbes.Clip();
        var supervisor = CreateTestProbe().ChildActorOf(ClipSupervisor.Props(clip, probes.Pipeline()));
        ReplyToFilter(probes, FilterResult.NoDetector);
        ReplyToUpload(probes, clip);

        // When
        probes.Repository.FishForMessage(m => m is AwaitClipDurable);
        probes.Notify.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        supervisor.Tell(new ClipDurable(clip.ClipId));

        // Then
        Assert.Equal(clip.ClipId, probes.Notify.ExpectMsg<SendAlert>().Alert.ClipId);
    }

    [Fact]
    public void Should_not_call_the_vlm_and_record_the_error_when_the_filter_fails()
    {
        // Given
        var probes = new PipelineProbes(this);
        var clip = PipelineProbes.Clip();
        var parent = CreateTestProbe();

        // When
        parent.ChildActorOf(ClipSupervisor.Props(clip, probes.Pipeline(PipelineProbes.FastRetry(maxAttempts: 2), policy: PipelineProbes.Policy(notifyOnMotion: false))));
        ReplyToUpload(probes, clip);
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var filter = probes.Filters.ExpectMsg<StartFilter>();
            probes.Filters.Reply(new FilterStageResult(clip.ClipId, filter.Attempt, StageResult<FilterResult>.Fail(new FilterError(clip.ClipId, "test-filter", new InvalidDataException("corrupt clip")))));
        }

        // Then
        var events = probes.EventsUntilCompleted();
        probes.Vlm.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Contains(events, e => e is FilterFailed { WillRetry: false, Error.Message: "corrupt clip" });
        Assert.Contains(events, e => e is VlmSkipped { Reason: "the filter failed" });
        Assert.Equal(ClipStatus.Error, ClipState.Replay(clip.ClipId, events).Status);
    }

    [Fact]
    public void Should_fall_back_to_the_filter_only_policy_when_the_vlm_fails()
    {
        // Given
        var probes = new PipelineProbes(this);
        var clip = PipelineProbes.Clip();
        var parent = CreateTestProbe();
        var person = new FilterResult(["person"], 0.9, 4, "test-model");

        // When
        parent.ChildActorOf(ClipSupervisor.Props(clip, probes.Pipeline(PipelineProbes.FastRetry(maxAttempts: 2))));
        ReplyToUpload(probes, clip);
        ReplyToFilter(probes, person);
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var vlm = probes.Vlm.ExpectMsg<StartVlm>();
            Assert.Equal(person, vlm.Filter);
            probes.Vlm.Reply(new VlmStageResult(clip.ClipId, vlm.Attempt, StageResult<AnalysisResult>.Fail(new VlmError(clip.ClipId, "test-vlm", new HttpRequestException("502 Bad Gateway")))));
        }

        // Then
        var alert = probes.Notify.ExpectMsg<SendAlert>().Alert;
        Assert.Contains("person detected without a VLM analysis", alert.NotifyReason);
        Assert.Contains("(vlm_unreachable: the description service could not be reached)", alert.NotifyReason);
        Assert.DoesNotContain("502", alert.NotifyReason, StringComparison.Ordinal); // the error's text stays in vlm_failed
        Assert.Null(alert.RiskLevel);
        Assert.Equal(Stored.ViewUrl, alert.ViewUrl);
    }

    [Fact]
    public void Should_retry_uploads_with_growing_backoff_capped_at_the_maximum_when_they_keep_failing()
    {
        // Given
        var probes = new PipelineProbes(this);
        var clip = PipelineProbes.Clip();
        var backoff = TimeSpan.FromMilliseconds(150);
        var retry = new HomeSec.Core.Config.RetryConfig(3, backoff, backoff * 2);

        // When
        CreateTestProbe().ChildActorOf(ClipSupervisor.Props(clip, probes.Pipeline(retry, policy: PipelineProbes.Policy(notifyOnMotion: false))));
        ReplyToFilter(probes, FilterResult.NoDetector);
        var sentAt = new List<DateTime>();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var upload = probes.Uploads.ExpectMsg<StartUpload>(TimeSpan.FromSeconds(5));
            sentAt.Add(DateTime.UtcNow);
            Assert.Equal(attempt, upload.Attempt);
            probes.Uploads.Reply(new UploadResult(clip.ClipId, upload.Attempt, StageResult<StoredObject>.Fail(new UploadError(clip.ClipId, "local", new IOException("offline")))));
        }

        // Then
        Assert.True(sentAt[1] - sentAt[0] >= backoff * 0.9, $"second attempt after {(sentAt[1] - sentAt[0]).TotalMilliseconds} ms");
        Assert.True(sentAt[2] - sentAt[1] >= backoff * 2 * 0.9, $"third attempt after {(sentAt[2] - sentAt[1]).TotalMilliseconds} ms");
        Assert.True(sentAt[4] - sentAt[3] >= backoff * 2 * 0.9, $"fifth attempt after {(sentAt[4] - sentAt[3]).TotalMilliseconds} ms");
        Assert.NotNull(probes.Uploads.ExpectMsg<StartUpload>(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Should_record_every_step_in_order_when_a_clip_goes_through_the_whole_pipeline()
    {
        // Given
        var probes = new PipelineProbes(this);
        var clip = PipelineProbes.Clip();
        var parent = CreateTestProbe();
        var analysis = new AnalysisResult(RiskLevel.High, "loitering", "A person lingers at the door.");

        // When
        parent.ChildActorOf(ClipSupervisor.Props(clip, probes.Pipeline()));
        ReplyToFilter(probes, new FilterResult(["person"], 0.8, 3, "test-model"));
        var vlm = probes.Vlm.ExpectMsg<StartVlm>();
        probes.Vlm.Reply(new VlmStageResult(clip.ClipId, vlm.Attempt, StageResult<AnalysisResult>.Ok(analysis)));
        probes.Notify.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        ReplyToUpload(probes, clip);
        var send = probes.Notify.ExpectMsg<SendAlert>();
        probes.Notify.Reply(new NotifyResult(clip.ClipId, send.Attempt, [StageResult<string>.Ok("log")]));

        // Then
        var events = probes.EventsUntilCompleted();
        Assert.Equal(
            ["clip_recorded", "upload_started", "filter_started", "filter_completed", "vlm_started", "vlm_completed",
             "alert_decision_made", "upload_completed", "notification_sent", "clip_completed"],
            events.Select(e => ClipEvents.WireNames[e.GetType()]));
        Assert.Equal(RiskLevel.High, send.Alert.RiskLevel);
        Assert.Equal("loitering", send.Alert.ActivityType);
        Assert.Equal(Stored.ViewUrl, send.Alert.ViewUrl);
        Assert.False(send.Alert.UploadFailed);
        Assert.Equal(new ClipProcessed(clip.ClipId, ClipStatus.Done), parent.ExpectMsg<ClipProcessed>());
    }

    [Fact]
    public void Should_finish_without_notifying_when_the_policy_says_no()
    {
        // Given
        var probes = new PipelineProbes(this);
        var clip = PipelineProbes.Clip();
        var parent = CreateTestProbe();

        // When
        parent.ChildActorOf(ClipSupervisor.Props(clip, probes.Pipeline(policy: PipelineProbes.Policy(notifyOnMotion: false))));
        ReplyToFilter(probes, FilterResult.NoDetector);
        ReplyToUpload(probes, clip);

        // Then
        Assert.Equal(ClipStatus.Done, parent.ExpectMsg<ClipProcessed>().Status);
        probes.Notify.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        var decision = probes.EventsUntilCompleted().OfType<AlertDecisionMade>().Single().Decision;
        Assert.False(decision.Notify);
        Assert.Contains("notify_on_motion is off", decision.Reason);
    }

    [Fact]
    public void Should_retry_only_the_failed_notifier_when_one_of_two_notifiers_fails()
    {
        // Given
        var probes = new PipelineProbes(this);
        var clip = PipelineProbes.Clip();
        var parent = CreateTestProbe();

        // When
        parent.ChildActorOf(ClipSupervisor.Props(clip, probes.Pipeline(notifiers: ["log", "mqtt"])));
        ReplyToFilter(probes, FilterResult.NoDetector);
        ReplyToUpload(probes, clip);
        var first = probes.Notify.ExpectMsg<SendAlert>();
        probes.Notify.Reply(new NotifyResult(clip.ClipId, first.Attempt,
            [StageResult<string>.Ok("log"), StageResult<string>.Fail(new NotifyError(clip.ClipId, "mqtt", new IOException("broker down")))]));
        var second = probes.Notify.ExpectMsg<SendAlert>();
        probes.Notify.Reply(new NotifyResult(clip.ClipId, second.Attempt, [StageResult<string>.Ok("mqtt")]));

        // Then
        Assert.Equal(["log", "mqtt"], first.Notifiers.Order());
        Assert.Equal(["mqtt"], second.Notifiers);
        var events = probes.EventsUntilCompleted();
        Assert.Equal(["log", "mqtt"], events.OfType<NotificationSent>().Select(e => e.Notifier));
        Assert.Contains(events, e => e is NotificationFailed { Notifier: "mqtt", WillRetry: true });
        Assert.Equal(ClipStatus.Done, parent.ExpectMsg<ClipProcessed>().Status);
    }

    [Fact]
    public void Should_put_the_alert_into_the_notifiers_outbox_and_finish_without_error_when_the_notifier_fails_every_retry()
    {
        // Given
        var probes = new PipelineProbes(this);
        var clip = PipelineProbes.Clip();
        var parent = CreateTestProbe();
        var outbox = CreateTestProbe();
        var pipeline = probes.Pipeline(PipelineProbes.FastRetry(maxAttempts: 2), notifiers: ["mqtt"]) with
        {
            Outboxes = new Dictionary<string, IActorRef> { ["mqtt"] = outbox.Ref },
        };

        // When
        parent.ChildActorOf(ClipSupervisor.Props(clip, pipeline));
        ReplyToFilter(probes, FilterResult.NoDetector);
        ReplyToUpload(probes, clip);
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var send = probes.Notify.ExpectMsg<SendAlert>();
            probes.Notify.Reply(new NotifyResult(clip.ClipId, send.Attempt, [StageResult<string>.Fail(new NotifyError(clip.ClipId, "mqtt", new IOException("broker down")))]));
        }

        // Then
        var queued = outbox.ExpectMsg<HomeSec.Actors.Workers.Outbox.OutboxProtocol.QueueAlert>();
        Assert.Equal(clip.ClipId, queued.Alert.ClipId);
        var events = probes.EventsUntilCompleted();
        Assert.Contains(events, e => e is NotificationQueued { Notifier: "mqtt" });
        Assert.DoesNotContain(events, e => e is NotificationSent);
        Assert.Equal(ClipStatus.Done, parent.ExpectMsg<ClipProcessed>().Status);
        probes.Notify.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Should_not_retry_nor_queue_when_the_notifier_rejects_the_alert()
    {
        // Given
        var probes = new PipelineProbes(this);
        var clip = PipelineProbes.Clip();
        var parent = CreateTestProbe();
        var outbox = CreateTestProbe();
        var pipeline = probes.Pipeline(PipelineProbes.FastRetry(maxAttempts: 3), notifiers: ["email"]) with
        {
            Outboxes = new Dictionary<string, IActorRef> { ["email"] = outbox.Ref },
        };

        // When
        parent.ChildActorOf(ClipSupervisor.Props(clip, pipeline));
        ReplyToFilter(probes, FilterResult.NoDetector);
        ReplyToUpload(probes, clip);
        var send = probes.Notify.ExpectMsg<SendAlert>();
        probes.Notify.Reply(new NotifyResult(clip.ClipId, send.Attempt,
            [StageResult<string>.Fail(new NotifyError(clip.ClipId, "email", new DeliveryRejectedException("SendGrid refused the API key (401)")))]));

        // Then
        var events = probes.EventsUntilCompleted();
        Assert.Contains(events, e => e is NotificationFailed { Notifier: "email", WillRetry: false, Attempt: 1 });
        Assert.Equal(ClipStatus.Error, parent.ExpectMsg<ClipProcessed>().Status);
        probes.Notify.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        outbox.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Should_skip_finished_steps_when_a_resumed_clip_has_a_history()
    {
        // Given
        var probes = new PipelineProbes(this);
        var clip = PipelineProbes.Clip(resumed: true);
        var parent = CreateTestProbe();
        var at = clip.StartedAt;
        var history = ClipState.Replay(clip.ClipId,
        [
            new ClipRecorded(clip.ClipId, at, clip.CameraName, clip.LocalPath, clip.StartedAt, clip.EndedAt, clip.SizeBytes),
            new UploadCompleted(clip.ClipId, at, "local", Stored.StorageUri, Stored.ViewUrl),
            new FilterCompleted(clip.ClipId, at, FilterResult.NoDetector),
            new VlmSkipped(clip.ClipId, at, "no detector configured (filter: none)"),
            new AlertDecisionMade(clip.ClipId, at, new AlertDecision(true, "motion")),
            new NotificationSent(clip.ClipId, at, "log"),
        ]);

        // When
        parent.ChildActorOf(ClipSupervisor.Props(clip, probes.Pipeline(notifiers: ["log", "email"])));
        probes.Repository.ExpectMsg<LoadClipHistory>();
        probes.Repository.Reply(new ClipHistory(clip.ClipId, history));

        // Then
        var send = probes.Notify.ExpectMsg<SendAlert>();
        Assert.Equal(["email"], send.Notifiers);
        probes.Notify.Reply(new NotifyResult(clip.ClipId, send.Attempt, [StageResult<string>.Ok("email")]));
        Assert.Equal(ClipStatus.Done, parent.ExpectMsg<ClipProcessed>().Status);
        probes.Uploads.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        probes.Filters.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void Should_treat_a_worker_that_never_answers_as_a_failed_attempt_when_the_stage_deadline_passes()
    {
        // Given
        var probes = new PipelineProbes(this);
        var clip = PipelineProbes.Clip();
        var pipeline = probes.Pipeline(PipelineProbes.FastRetry(maxAttempts: 2), stageDeadline: TimeSpan.FromMilliseconds(200));

        // When
        CreateTestProbe().ChildActorOf(ClipSupervisor.Props(clip, pipeline));
        ReplyToFilter(probes, FilterResult.NoDetector);
        probes.Uploads.ExpectMsg<StartUpload>(u => u.Attempt == 1);

        // Then
        var retried = probes.Uploads.ExpectMsg<StartUpload>(TimeSpan.FromSeconds(5));
        Assert.Equal(2, retried.Attempt);
        probes.Uploads.Reply(new UploadResult(clip.ClipId, 1, StageResult<StoredObject>.Ok(Stored)));
        probes.Uploads.Reply(new UploadResult(clip.ClipId, 2, StageResult<StoredObject>.Ok(Stored)));
        var alert = probes.Notify.ExpectMsg<SendAlert>().Alert;
        Assert.False(alert.UploadFailed);
        Assert.Contains(probes.EventsUntilCompleted(), e => e is UploadFailed { Attempt: 1, Error.ExceptionType: nameof(TimeoutException) });
    }

    private static void ReplyToUpload(PipelineProbes probes, RecordedClip clip)
    {
        var upload = probes.Uploads.ExpectMsg<StartUpload>();
        Assert.Equal(clip, upload.Clip);
        probes.Uploads.Reply(new UploadResult(clip.ClipId, upload.Attempt, StageResult<StoredObject>.Ok(Stored)));
    }

    private static void ReplyToFilter(PipelineProbes probes, FilterResult result)
    {
        var filter = probes.Filters.ExpectMsg<StartFilter>();
        probes.Filters.Reply(new FilterStageResult(filter.Clip.ClipId, filter.Attempt, StageResult<FilterResult>.Ok(result)));
    }
}
