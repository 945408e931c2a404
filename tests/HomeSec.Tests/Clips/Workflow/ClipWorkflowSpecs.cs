using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Clips.Workflow;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.AlertPolicies.Default;
using HomeSec.Core.Results;
using Xunit;
using static HomeSec.Core.Clips.ClipEvents;
using static HomeSec.Core.Clips.Workflow.WorkflowCommand;
using static HomeSec.Core.Clips.Workflow.WorkflowInput;

namespace HomeSec.Tests.Clips.Workflow;

/// <summary>The clip workflow's decision table, as a pure function: no actors, no clock.</summary>
public sealed class ClipWorkflowSpecs
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly StoredObject Stored = new("local://front_door/x.mp4", "file:///x.mp4");
    private static readonly RecordedClip Clip = new(ClipId.For("front_door", Now), "front_door", "/tmp/x.mp4", Now, Now.AddSeconds(5), 10);

    [Fact]
    public void Should_record_the_clip_and_start_upload_and_filter_in_parallel_when_a_clip_starts()
    {
        // Given
        var progress = ClipProgress.For(Clip);

        // When
        var decision = Decide(progress, new Started());

        // Then
        Assert.Equal(["clip_recorded", "upload_started", "filter_started"], Names(decision.Events));
        Assert.Equal([new RunStage(Stage.Upload, 1), new RunStage(Stage.Filter, 1)], decision.Commands);
    }

    [Fact]
    public void Should_wait_for_the_alert_intent_to_be_durable_before_sending_when_the_policy_says_notify()
    {
        // Given
        var progress = Run(new Started(), new FilterSucceeded(1, FilterResult.NoDetector));

        // When
        var stored = Decide(progress, new UploadSucceeded(1, Stored));
        var durable = Decide(stored.Progress, new EventsDurable());

        // Then
        Assert.Contains(stored.Commands, c => c is AwaitDurable);
        Assert.DoesNotContain(stored.Commands, c => c is WorkflowCommand.SendAlert);
        var send = Assert.Single(durable.Commands.OfType<WorkflowCommand.SendAlert>());
        Assert.Equal(["log", "mqtt"], send.Notifiers);
        Assert.Equal(Stored.ViewUrl, send.Alert.ViewUrl);
        Assert.False(send.Alert.UploadFailed);
    }

    [Fact]
    public void Should_finish_only_after_clip_completed_is_durable_when_everything_is_done()
    {
        // Given
        var progress = Run(new Started(), new FilterSucceeded(1, FilterResult.NoDetector), new UploadSucceeded(1, Stored), new EventsDurable());

        // When
        var notified = Decide(progress, new NotifyFinished(1, [StageResult<string>.Ok("log"), StageResult<string>.Ok("mqtt")]));
        var durable = Decide(notified.Progress, new EventsDurable());

        // Then
        Assert.Equal(["notification_sent", "notification_sent", "clip_completed"], Names(notified.Events));
        Assert.Equal([new CancelDeadline(Stage.Notify), new AwaitDurable()], notified.Commands);
        Assert.Equal([new Finish(ClipStatus.Done)], durable.Commands);
    }

    [Fact]
    public void Should_keep_retrying_the_upload_past_the_retry_budget_and_alert_with_upload_failed_when_uploads_keep_failing()
    {
        // Given
        var progress = Run(new Started(), new FilterSucceeded(1, FilterResult.NoDetector));
        var failure = new StageFailed(1, new UploadError(Clip.ClipId, "local", new IOException("No space left on device")));

        // When
        var first = Decide(progress, failure);
        var second = Decide(Run(first.Progress, new RetryDue(Stage.Upload)), new StageFailed(2, failure.Error));
        var third = Run(second.Progress, new EventsDurable(), new RetryDue(Stage.Upload));

        // Then
        Assert.Contains(first.Commands, c => c is ScheduleRetry { Stage: Stage.Upload });
        Assert.True(Assert.IsType<UploadFailed>(second.Events[0]).WillRetry);
        Assert.Contains(second.Commands, c => c is ScheduleRetry { Stage: Stage.Upload });
        Assert.Contains(second.Commands, c => c is AwaitDurable);
        Assert.Equal(3, third.InFlight[Stage.Upload]);
        Assert.True(third.InFlight.ContainsKey(Stage.Notify));
    }

    [Fact]
    public void Should_say_only_storage_is_left_once_when_the_alert_went_out_and_uploads_still_fail()
    {
        // Given
        var failure = new UploadError(Clip.ClipId, "local", new UnauthorizedAccessException("read-only"));
        var progress = Run(new Started(), new FilterSucceeded(1, FilterResult.NoDetector),
            new StageFailed(1, failure), new RetryDue(Stage.Upload), new StageFailed(2, failure), new EventsDurable());

        // When
        var notified = Decide(progress, new NotifyFinished(1, [StageResult<string>.Ok("log"), StageResult<string>.Ok("mqtt")]));
        var later = Decide(Run(notified.Progress, new RetryDue(Stage.Upload)), new StageFailed(3, failure));

        // Then
        Assert.Contains(notified.Commands, c => c is OnlyStorageLeft);
        Assert.True(notified.Progress.Parked);
        Assert.DoesNotContain(later.Commands, c => c is OnlyStorageLeft);
        Assert.DoesNotContain(later.Events, e => e is ClipCompleted);
    }

    [Fact]
    public void Should_stop_uploading_and_finish_as_deleted_when_retention_takes_the_file_of_a_clip_waiting_for_storage()
    {
        // Given a clip that alerted and only waits for storage (uploads failing)
        var failure = new UploadError(Clip.ClipId, "local", new IOException("No space left on device"));
        var progress = Run(new Started(), new FilterSucceeded(1, FilterResult.NoDetector),
            new StageFailed(1, failure), new RetryDue(Stage.Upload), new StageFailed(2, failure), new EventsDurable(),
            new NotifyFinished(1, [StageResult<string>.Ok("log"), StageResult<string>.Ok("mqtt")]), new RetryDue(Stage.Upload));

        // When retention gives up its local copy, then the events are durable, then a late upload reply and retry timer come
        var given = Decide(progress, new LocalCopyGivenUp("floor_critical", 1234));
        var durable = Decide(given.Progress, new EventsDurable());
        var lateReply = Decide(durable.Progress, new UploadSucceeded(3, Stored));
        var lateRetry = Decide(durable.Progress, new RetryDue(Stage.Upload));

        // Then it completes, is deleted (status deleted), finishes after durability, and starts no more uploads
        Assert.Equal(["clip_completed", "clip_deleted"], Names(given.Events));
        Assert.Equal(new ClipDeleted(Clip.ClipId, Now, "floor_critical", "local", 1234), given.Events[1]);
        Assert.Contains(given.Commands, c => c is AwaitDurable);
        Assert.DoesNotContain(given.Commands, c => c is RunStage);
        Assert.Equal(ClipStatus.Deleted, given.Progress.State.Status);
        Assert.Equal([new Finish(ClipStatus.Deleted)], durable.Commands);
        Assert.Empty(lateReply.Events);
        Assert.Empty(lateRetry.Commands);
    }

    [Fact]
    public void Should_refuse_to_give_up_the_local_copy_of_a_clip_that_is_not_only_waiting_for_storage()
    {
        // Given a clip still being filtered
        var progress = Run(new Started());

        // When
        var decision = Decide(progress, new LocalCopyGivenUp("floor_critical", 1234));

        // Then nothing changes
        Assert.Empty(decision.Events);
        Assert.Empty(decision.Commands);
    }

    [Fact]
    public void Should_ask_the_alert_gate_and_record_its_answer_as_the_decision_when_alerts_are_gated()
    {
        // Given gated rules and a clip whose policy says notify
        var rules = Rules with { GateAlerts = true };
        var progress = ClipWorkflow.Decide(ClipProgress.For(Clip), new Started(), rules, Now).Progress;

        // When
        var analysed = ClipWorkflow.Decide(progress, new FilterSucceeded(1, FilterResult.NoDetector), rules, Now);
        var gated = ClipWorkflow.Decide(analysed.Progress, new AlertGated(new AlertDecision(false, "suppressed (mode_off): the armed mode is off")), rules, Now);
        var twice = ClipWorkflow.Decide(gated.Progress, new AlertGated(new AlertDecision(true, "late")), rules, Now);

        // Then
        var ask = Assert.Single(analysed.Commands.OfType<GateAlert>());
        Assert.True(ask.Proposal.Decision.Notify);
        Assert.DoesNotContain(analysed.Events, e => e is AlertDecisionMade);
        Assert.False(Assert.Single(gated.Events.OfType<AlertDecisionMade>()).Decision.Notify);
        Assert.DoesNotContain(gated.Commands, c => c is WorkflowCommand.SendAlert or AwaitDurable);
        Assert.Empty(twice.Events);
    }

    [Fact]
    public void Should_give_up_the_filter_and_skip_the_vlm_when_every_filter_attempt_fails()
    {
        // Given
        var failure = new FilterError(Clip.ClipId, "yolo", new InvalidDataException("corrupt"));
        var progress = Run(new Started(), new StageFailed(1, failure), new RetryDue(Stage.Filter));

        // When
        var decision = Decide(progress, new StageFailed(2, failure));

        // Then
        Assert.False(Assert.IsType<FilterFailed>(decision.Events[0]).WillRetry);
        Assert.Contains(decision.Events, e => e is VlmSkipped { Reason: "the filter failed" });
        Assert.Contains(decision.Commands, c => c is ReportFailure { Outcome: FailureOutcome.GivingUp });
    }

    [Fact]
    public void Should_ignore_a_reply_for_an_attempt_it_no_longer_waits_for()
    {
        // Given
        var progress = Run(new Started());

        // When
        var decision = Decide(progress, new UploadSucceeded(7, Stored));

        // Then
        Assert.Empty(decision.Events);
        Assert.Empty(decision.Commands);
        Assert.Same(progress, decision.Progress);
    }

    [Fact]
    public void Should_not_retry_a_notifier_that_rejected_the_alert_even_after_a_restart()
    {
        // Given
        var events = Events(new Started(), new FilterSucceeded(1, FilterResult.NoDetector), new UploadSucceeded(1, Stored), new EventsDurable(),
            new NotifyFinished(1, [StageResult<string>.Ok("log"), StageResult<string>.Fail(new NotifyError(Clip.ClipId, "mqtt", new DeliveryRejectedException("401")))]));
        var crashedBeforeCompletion = ClipState.Replay(Clip.ClipId, events.Where(e => e is not ClipCompleted));

        // When
        var resumed = Decide(ClipProgress.For(Clip with { Resumed = true }), new Resumed(crashedBeforeCompletion));

        // Then
        Assert.DoesNotContain(resumed.Commands, c => c is WorkflowCommand.SendAlert);
        Assert.Contains(resumed.Events, e => e is ClipCompleted { HadErrors: true });
    }

    [Fact]
    public void Should_mark_a_clip_finished_at_once_when_its_history_says_it_is_done()
    {
        // Given
        var done = Run(new Started(), new FilterSucceeded(1, FilterResult.NoDetector), new UploadSucceeded(1, Stored), new EventsDurable(),
            new NotifyFinished(1, [StageResult<string>.Ok("log"), StageResult<string>.Ok("mqtt")]));

        // When
        var decision = Decide(ClipProgress.For(Clip), new Resumed(done.State));

        // Then
        Assert.Empty(decision.Events);
        Assert.Equal([new Finish(ClipStatus.Done)], decision.Commands);
    }

    [Fact]
    public void Should_abandon_the_clip_when_its_events_could_not_be_made_durable()
    {
        // Given
        var progress = Run(new Started(), new FilterSucceeded(1, FilterResult.NoDetector));

        // When
        var decision = Decide(progress, new EventsLost("spool full"));

        // Then
        Assert.Equal([new Abandon("spool full")], decision.Commands);
    }

    /// <summary>
    /// Resume after each event of a whole run: the resumed clip never redoes a finished step, continues the
    /// attempt numbers its events recorded, and reaches clip_completed with every notifier delivered once.
    /// </summary>
    [Fact]
    public void Should_continue_where_the_events_stop_when_a_clip_is_resumed_after_any_event()
    {
        // Given
        var vlmError = new VlmError(Clip.ClipId, "openai", new HttpRequestException("502"));
        var full = new List<IClipEvent>();
        var progress = ClipProgress.For(Clip);
        foreach (var input in new WorkflowInput[]
                 {
                     new Started(), new StageFailed(1, new UploadError(Clip.ClipId, "local", new IOException("busy"))),
                     new FilterSucceeded(1, new FilterResult(["person"], 0.9, 2, "m")), new StageFailed(1, vlmError), new RetryDue(Stage.Vlm),
                     new VlmSucceeded(2, new AnalysisResult(RiskLevel.High, "loitering", "A person.")), new RetryDue(Stage.Upload),
                     new UploadSucceeded(2, Stored), new EventsDurable(),
                     new NotifyFinished(1, [StageResult<string>.Ok("log"), StageResult<string>.Fail(new NotifyError(Clip.ClipId, "mqtt", new IOException("down")))]),
                     new RetryDue(Stage.Notify), new NotifyFinished(2, [StageResult<string>.Ok("mqtt")]),
                 })
        {
            var decision = Decide(progress, input);
            full.AddRange(decision.Events);
            progress = decision.Progress;
        }

        Assert.IsType<ClipCompleted>(full[^1]);
        for (var cut = 1; cut < full.Count; cut++)
        {
            // When
            var history = ClipState.Replay(Clip.ClipId, full.Take(cut));
            var events = FinishResumed(history, out var sends);

            // Then
            var all = full.Take(cut).Concat(events).ToList();
            Assert.Single(all.OfType<ClipCompleted>());
            Assert.Single(all.OfType<UploadCompleted>());
            Assert.Single(all.OfType<FilterCompleted>());
            Assert.Single(all.OfType<VlmCompleted>());
            Assert.Single(all.OfType<AlertDecisionMade>());
            Assert.Equal(["log", "mqtt"], all.OfType<NotificationSent>().Select(n => n.Notifier).Order());
            var uploads = all.OfType<UploadStarted>().Select(u => u.Attempt).ToList();
            Assert.Equal(Enumerable.Range(1, uploads.Count), uploads);
            Assert.All(sends, s => Assert.DoesNotContain(s.Notifiers, n => history.NotifiedBy.Contains(n)));
        }
    }

    /// <summary>Plays a resumed clip to its end with every stage succeeding at once.</summary>
    [Theory]
    [InlineData(7, 7)]
    [InlineData(600, 60)]
    [InlineData(0.5, 1)]
    public void Should_wait_as_long_as_the_receiver_asks_up_to_the_maximum_backoff_when_a_notifier_is_told_to_retry_later(double askedSeconds, double expectedSeconds)
    {
        // Given: retry backoff 1 s, at most 60 s
        var progress = Run(new Started(), new FilterSucceeded(1, FilterResult.NoDetector), new UploadSucceeded(1, Stored), new EventsDurable());
        var busy = new DeliveryDeferredException("ntfy answered 429", TimeSpan.FromSeconds(askedSeconds));

        // When
        var notified = Decide(progress, new NotifyFinished(1, [StageResult<string>.Ok("log"), StageResult<string>.Fail(new NotifyError(Clip.ClipId, "mqtt", busy))]));

        // Then
        Assert.Contains(notified.Events, e => e is NotificationFailed { Notifier: "mqtt", WillRetry: true });
        Assert.Contains(new ScheduleRetry(Stage.Notify, TimeSpan.FromSeconds(expectedSeconds)), notified.Commands);
    }

    private static List<IClipEvent> FinishResumed(ClipState history, out List<WorkflowCommand.SendAlert> sends)
    {
        var events = new List<IClipEvent>();
        sends = [];
        var pending = new Queue<WorkflowInput>([new Resumed(history)]);
        var progress = ClipProgress.For(Clip with { Resumed = true });
        while (pending.TryDequeue(out var input))
        {
            var decision = Decide(progress, input);
            progress = decision.Progress;
            events.AddRange(decision.Events);
            foreach (var command in decision.Commands)
            {
                switch (command)
                {
                    case RunStage { Stage: Stage.Upload } run:
                        pending.Enqueue(new UploadSucceeded(run.Attempt, Stored));
                        break;
                    case RunStage { Stage: Stage.Filter } run:
                        pending.Enqueue(new FilterSucceeded(run.Attempt, new FilterResult(["person"], 0.9, 2, "m")));
                        break;
                    case RunStage { Stage: Stage.Vlm } run:
                        pending.Enqueue(new VlmSucceeded(run.Attempt, new AnalysisResult(RiskLevel.High, "loitering", "A person.")));
                        break;
                    case WorkflowCommand.SendAlert send:
                        sends.Add(send);
                        pending.Enqueue(new NotifyFinished(send.Attempt, send.Notifiers.Select(StageResult<string>.Ok).ToList()));
                        break;
                    case AwaitDurable:
                        pending.Enqueue(new EventsDurable());
                        break;
                    case ScheduleRetry retry:
                        pending.Enqueue(new RetryDue(retry.Stage));
                        break;
                }
            }
        }

        return events;
    }

    private static readonly WorkflowRules Rules = new(
        "local", "yolo", "openai", ["log", "mqtt"], ["person"],
        new DefaultAlertPolicy(new DefaultAlertPolicyOptions(RiskLevel.Medium, [], NotifyOnMotion: true)),
        new RetryConfig(2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)),
        new HashSet<string>(), TimeSpan.FromSeconds(30));

    private static WorkflowDecision Decide(ClipProgress progress, WorkflowInput input) => ClipWorkflow.Decide(progress, input, Rules, Now);

    private static ClipProgress Run(params WorkflowInput[] inputs) => Run(ClipProgress.For(Clip), inputs);

    private static ClipProgress Run(ClipProgress progress, params WorkflowInput[] inputs) =>
        inputs.Aggregate(progress, (p, input) => Decide(p, input).Progress);

    private static List<IClipEvent> Events(params WorkflowInput[] inputs)
    {
        var events = new List<IClipEvent>();
        var progress = ClipProgress.For(Clip);
        foreach (var input in inputs)
        {
            var decision = Decide(progress, input);
            events.AddRange(decision.Events);
            progress = decision.Progress;
        }

        return events;
    }

    private static List<string> Names(IEnumerable<IClipEvent> events) => events.Select(e => ClipEvents.WireNames[e.GetType()]).ToList();
}
