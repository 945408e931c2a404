using System.Text.Json;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Results;
using Xunit;
using static HomeSec.Core.Clips.ClipEvents;

namespace HomeSec.Tests.Clips;

public sealed class ClipStateSpecs
{
    private static readonly ClipId Id = ClipId.For("front_door", new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 10, TimeSpan.Zero);

    private static DateTimeOffset At(int seconds) => T0.AddSeconds(seconds);

    private static ClipRecorded Recorded() =>
        new(Id, At(0), "front_door", "/clips/front_door/a.mp4", At(-10), At(0), 1234);

    private static ErrorInfo Error(Stage stage) => new(stage.ToWireName(), "plugin", "IOException", "disk on fire");

    private static IReadOnlyList<IClipEvent> HappyPath() =>
    [
        Recorded(),
        new UploadStarted(Id, At(1), "local", 1),
        new UploadCompleted(Id, At(2), "local", "local://front_door/a.mp4", "file:///store/front_door/a.mp4"),
        new FilterStarted(Id, At(3), "none", 1),
        new FilterCompleted(Id, At(4), new FilterResult(["person"], 0.9, 10, "yolo")),
        new VlmStarted(Id, At(5), "openai", 1),
        new VlmCompleted(Id, At(6), new AnalysisResult(RiskLevel.High, "loitering", "a person waits")),
        new AlertDecisionMade(Id, At(7), new AlertDecision(true, "risk high is at or above min_risk_level medium")),
        new NotificationSent(Id, At(8), "log"),
        new NotificationSent(Id, At(9), "mqtt"),
        new ClipCompleted(Id, At(10), HadErrors: false),
    ];

    [Fact]
    public void Should_move_from_queued_local_to_uploaded_to_analyzed_to_done_when_the_pipeline_succeeds()
    {
        // Given
        var state = ClipState.Empty(Id);
        var statuses = new List<ClipStatus>();

        // When
        foreach (var evt in HappyPath())
        {
            state = state.Apply(evt);
            statuses.Add(state.Status);
        }

        // Then
        Assert.Equal(
            [
                ClipStatus.QueuedLocal, ClipStatus.QueuedLocal, ClipStatus.Uploaded, ClipStatus.Uploaded, ClipStatus.Uploaded, ClipStatus.Uploaded,
                ClipStatus.Analyzed, ClipStatus.Analyzed, ClipStatus.Analyzed, ClipStatus.Analyzed, ClipStatus.Done,
            ],
            statuses);
        Assert.True(state.IsFinished);
        Assert.Equal("front_door", state.CameraName);
        Assert.Equal("/clips/front_door/a.mp4", state.LocalPath);
        Assert.Equal("local://front_door/a.mp4", state.StorageUri);
        Assert.Equal("file:///store/front_door/a.mp4", state.ViewUrl);
        Assert.Equal(["person"], state.Filter!.DetectedClasses);
        Assert.Equal(RiskLevel.High, state.Analysis!.RiskLevel);
        Assert.True(state.AlertDecision!.Notify);
        Assert.False(state.UploadFailed);
        Assert.Empty(state.Errors);
        Assert.Equal(At(0), state.CreatedAt);
        Assert.Equal(At(10), state.UpdatedAt);
    }

    [Fact]
    public void Should_become_error_when_the_clip_completes_with_errors()
    {
        // Given
        var state = ClipState.Replay(Id, [Recorded(), new VlmFailed(Id, At(1), 3, Error(Stage.Vlm), WillRetry: false)]);

        // When
        var completed = state.Apply(new ClipCompleted(Id, At(2), HadErrors: true));

        // Then
        Assert.Equal(ClipStatus.Error, completed.Status);
        Assert.True(completed.IsFinished);
        Assert.True(completed.GaveUp(Stage.Vlm));
    }

    [Fact]
    public void Should_mark_the_upload_failed_and_keep_the_clip_local_when_the_upload_fails_for_good()
    {
        // Given
        var state = ClipState.Replay(Id, [Recorded(), new UploadStarted(Id, At(1), "local", 3)]);
        var error = Error(Stage.Upload);

        // When
        var failed = state.Apply(new UploadFailed(Id, At(2), 3, error, WillRetry: false));

        // Then
        Assert.True(failed.UploadFailed);
        Assert.Equal(ClipStatus.QueuedLocal, failed.Status);
        Assert.Null(failed.StorageUri);
        Assert.Equal([error], failed.Errors);
        Assert.True(failed.GaveUp(Stage.Upload));
        Assert.False(failed.GaveUp(Stage.Filter));
    }

    [Fact]
    public void Should_still_reach_analyzed_when_the_upload_failed_but_a_decision_was_made()
    {
        // Given
        var state = ClipState.Replay(Id, [Recorded(), new UploadFailed(Id, At(1), 3, Error(Stage.Upload), WillRetry: false)]);

        // When
        var decided = state.Apply(new AlertDecisionMade(Id, At(2), new AlertDecision(true, "motion (no detector) and notify_on_motion is on")));

        // Then
        Assert.Equal(ClipStatus.Analyzed, decided.Status);
        Assert.True(decided.UploadFailed);
    }

    [Fact]
    public void Should_clear_upload_failed_when_a_later_upload_completes()
    {
        // Given
        var state = ClipState.Replay(Id, [Recorded(), new UploadFailed(Id, At(1), 3, Error(Stage.Upload), WillRetry: false)]);

        // When
        var uploaded = state.Apply(new UploadCompleted(Id, At(2), "local", "local://front_door/a.mp4", null));

        // Then
        Assert.False(uploaded.UploadFailed);
        Assert.Equal(ClipStatus.Uploaded, uploaded.Status);
        Assert.Equal("local://front_door/a.mp4", uploaded.StorageUri);
    }

    public static TheoryData<string> RetriedFailures => new(RetriedFailureEvents.Keys);

    private static readonly Dictionary<string, IClipEvent> RetriedFailureEvents = new(StringComparer.Ordinal)
    {
        ["upload"] = new UploadFailed(Id, At(1), 1, Error(Stage.Upload), WillRetry: true),
        ["filter"] = new FilterFailed(Id, At(1), 1, Error(Stage.Filter), WillRetry: true),
        ["vlm"] = new VlmFailed(Id, At(1), 1, Error(Stage.Vlm), WillRetry: true),
        ["notify"] = new NotificationFailed(Id, At(1), "mqtt", 1, Error(Stage.Notify), WillRetry: true),
    };

    [Theory]
    [MemberData(nameof(RetriedFailures))]
    public void Should_record_no_error_when_a_failure_will_be_retried(string stage)
    {
        // Given
        var state = ClipState.Replay(Id, [Recorded()]);

        // When
        var after = state.Apply(RetriedFailureEvents[stage]);

        // Then
        Assert.Empty(after.Errors);
        Assert.False(after.UploadFailed);
        Assert.Equal(ClipStatus.QueuedLocal, after.Status);
        Assert.False(after.GaveUp(Enum.Parse<Stage>(stage, ignoreCase: true)));
        Assert.Equal(At(1), after.UpdatedAt);
    }

    public static TheoryData<string> FinalFailures => new(FinalFailureEvents.Keys);

    private static readonly Dictionary<string, IClipEvent> FinalFailureEvents = new(StringComparer.Ordinal)
    {
        ["upload"] = new UploadFailed(Id, At(1), 3, Error(Stage.Upload), WillRetry: false),
        ["filter"] = new FilterFailed(Id, At(1), 3, Error(Stage.Filter), WillRetry: false),
        ["vlm"] = new VlmFailed(Id, At(1), 3, Error(Stage.Vlm), WillRetry: false),
        ["notify"] = new NotificationFailed(Id, At(1), "mqtt", 3, Error(Stage.Notify), WillRetry: false),
    };

    [Theory]
    [MemberData(nameof(FinalFailures))]
    public void Should_record_that_the_stage_gave_up_when_a_failure_is_final(string stage)
    {
        // Given
        var state = ClipState.Replay(Id, [Recorded()]);

        // When
        var after = state.Apply(FinalFailureEvents[stage]);

        // Then
        var error = Assert.Single(after.Errors);
        Assert.Equal(stage, error.Stage);
        Assert.True(after.GaveUp(Enum.Parse<Stage>(stage, ignoreCase: true)));
        Assert.Equal(stage == "upload", after.UploadFailed);
    }

    [Fact]
    public void Should_add_each_notifier_once_when_notifications_are_sent()
    {
        // Given
        var state = ClipState.Replay(Id, [Recorded()]);

        // When
        var after = state
            .Apply(new NotificationSent(Id, At(1), "log"))
            .Apply(new NotificationSent(Id, At(2), "mqtt"))
            .Apply(new NotificationSent(Id, At(3), "log"));

        // Then
        Assert.Equal(["log", "mqtt"], after.NotifiedBy.Order(StringComparer.Ordinal));
        Assert.Empty(state.NotifiedBy);
    }

    [Fact]
    public void Should_become_deleted_only_when_both_copies_are_deleted()
    {
        // Given a stored clip
        var state = ClipState.Replay(Id, HappyPath());

        // When the local file goes, then the stored copy
        var localGone = state.Apply(new ClipDeleted(Id, At(20), "age", "local", 1000));
        var bothGone = localGone.Apply(new ClipDeleted(Id, At(21), "age", "remote", 0));

        // Then it is deleted only when no copy is left
        Assert.Equal(ClipStatus.Done, localGone.Status);
        Assert.True(localGone.LocalDeleted);
        Assert.True(localGone.IsStoredRemotely);
        Assert.Equal(ClipStatus.Deleted, bothGone.Status);
        Assert.False(bothGone.IsStoredRemotely);
        Assert.Equal("age", bothGone.DeletedReason);
        Assert.True(bothGone.IsFinished);
    }

    [Fact]
    public void Should_become_deleted_when_the_only_copy_of_a_never_stored_clip_is_deleted()
    {
        // Given a clip that was never stored
        var state = ClipState.Replay(Id, [Recorded(), new ClipCompleted(Id, At(5), HadErrors: true)]);

        // When its local file goes
        var deleted = state.Apply(new ClipDeleted(Id, At(20), "floor_critical", "local", 1000));

        // Then
        Assert.Equal(ClipStatus.Deleted, deleted.Status);
        Assert.Equal("floor_critical", deleted.DeletedReason);
    }

    [Fact]
    public void Should_keep_the_results_and_add_what_the_recheck_found_when_the_clip_is_rechecked()
    {
        // Given
        var state = ClipState.Replay(Id, HappyPath());

        // When
        var rechecked = state.Apply(new ClipRechecked(Id, At(20), "yolo11x", ["person"], 0.71));

        // Then
        Assert.Equal(state.Status, rechecked.Status);
        Assert.Equal(state.Filter, rechecked.Filter);
        Assert.Equal("yolo11x", rechecked.Recheck!.Model);
        Assert.Equal(["person"], rechecked.Recheck.DetectedClasses);
        Assert.Equal(At(0), rechecked.CreatedAt);
    }

    [Fact]
    public void Should_keep_the_skip_reason_and_not_advance_when_the_vlm_is_skipped()
    {
        // Given
        var state = ClipState.Replay(Id, [Recorded(), new UploadCompleted(Id, At(1), "local", "local://x", null)]);

        // When
        var skipped = state.Apply(new VlmSkipped(Id, At(2), "no trigger class"));

        // Then
        Assert.Equal("no trigger class", skipped.VlmSkippedReason);
        Assert.Equal(ClipStatus.Uploaded, skipped.Status);
    }

    [Fact]
    public void Should_not_go_back_to_uploaded_when_an_upload_completes_after_the_analysis()
    {
        // Given
        var state = ClipState.Replay(Id,
        [
            Recorded(),
            new VlmCompleted(Id, At(1), new AnalysisResult(RiskLevel.Low, "animal", "a cat")),
        ]);

        // When
        var uploaded = state.Apply(new UploadCompleted(Id, At(2), "local", "local://x", null));

        // Then
        Assert.Equal(ClipStatus.Analyzed, uploaded.Status);
        Assert.Equal("local://x", uploaded.StorageUri);
    }

    [Fact]
    public void Should_give_the_same_state_when_the_same_events_are_replayed_twice()
    {
        // Given
        var events = HappyPath()
            .Concat([new NotificationFailed(Id, At(11), "email", 3, Error(Stage.Notify), WillRetry: false)])
            .ToList();

        // When
        var first = ClipState.Replay(Id, events);
        var second = ClipState.Replay(Id, events);

        // Then
        Assert.Equal(JsonSerializer.Serialize(first), JsonSerializer.Serialize(second));
        Assert.Equal(first.NotifiedBy.Order(StringComparer.Ordinal), second.NotifiedBy.Order(StringComparer.Ordinal));
        Assert.Equal(first.Errors, second.Errors);
        Assert.Equal(ClipStatus.Done, second.Status);
        Assert.Equal(At(11), second.UpdatedAt);
    }

    [Fact]
    public void Should_equal_applying_each_event_in_turn_when_events_are_replayed()
    {
        // Given
        var events = HappyPath();
        var stepByStep = ClipState.Empty(Id);
        foreach (var evt in events)
        {
            stepByStep = stepByStep.Apply(evt);
        }

        // When
        var replayed = ClipState.Replay(Id, events);

        // Then
        Assert.Equal(JsonSerializer.Serialize(stepByStep), JsonSerializer.Serialize(replayed));
    }

    [Fact]
    public void Should_take_times_from_the_events_when_they_are_applied()
    {
        // Given
        var late = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

        // When
        var state = ClipState.Empty(Id).Apply(new VlmSkipped(Id, late, "disabled"));

        // Then
        Assert.Equal(late, state.CreatedAt);
        Assert.Equal(late, state.UpdatedAt);
    }
}
