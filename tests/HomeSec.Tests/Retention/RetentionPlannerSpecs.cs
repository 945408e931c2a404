using Xunit;
using HomeSec.Core.Clips;
using HomeSec.Core.Retention;

namespace HomeSec.Tests.Retention;

public sealed class RetentionPlannerSpecs
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private const long Mb = 1L << 20;

    private static RetainedClip Clip(string id, double ageDays, long? bytes = 10 * Mb, bool stored = true, bool alerted = false,
        string camera = "front", string volume = "/data", long? remoteBytes = null) =>
        new(ClipId.Parse(id), camera, $"/data/{camera}/{id}.mp4", Now - TimeSpan.FromDays(ageDays), bytes, bytes is null ? null : volume,
            stored, remoteBytes, remoteBytes is null ? null : volume, alerted);

    private static RetentionConfig Rules(double? maxDays = null, double? keepAlertedDays = null, long? cameraMaxBytes = null, double? remoteMaxDays = null,
        SourceFilesPolicy sourceFiles = SourceFilesPolicy.Keep, long? totalMaxBytes = null, long? minFree = null, long? critical = null) =>
        RetentionConfig.Disabled with
        {
            Defaults = new RetentionRules(maxDays, keepAlertedDays, null, remoteMaxDays, sourceFiles),
            PerCamera = cameraMaxBytes is null
                ? new Dictionary<string, RetentionOverrides>()
                : new Dictionary<string, RetentionOverrides> { ["front"] = new(LocalMaxBytes: cameraMaxBytes) },
            TotalLocalMaxBytes = totalMaxBytes,
            MinFreeBytes = minFree,
            CriticalFreeBytes = critical,
        };

    private static VolumeSpace Volume(long freeBytes, string mount = "/data") => new(mount, freeBytes, 1000 * Mb);

    private static string[] Ids(RetentionPlan plan, DeletionTarget target) =>
        [.. plan.Deletions.Where(d => d.Target == target).Select(d => d.ClipId.Value)];

    [Fact]
    public void Should_delete_local_files_past_max_days_but_keep_alerted_clips_for_keep_alerted_days()
    {
        // Given
        var clips = new[] { Clip("old-plain", 40), Clip("old-alerted", 40, alerted: true), Clip("ancient-alerted", 100, alerted: true), Clip("new", 5) };

        // When
        var plan = RetentionPlanner.Plan(clips, Rules(maxDays: 30, keepAlertedDays: 90), [], Now);

        // Then
        Assert.Equal(["ancient-alerted", "old-plain"], Ids(plan, DeletionTarget.Local).Order(StringComparer.Ordinal));
        Assert.All(plan.Deletions, d => Assert.Equal(DeletionReason.Age, d.Reason));
        Assert.Empty(Ids(plan, DeletionTarget.Remote));
    }

    [Fact]
    public void Should_never_delete_a_clip_that_is_not_stored_yet_by_age_size_or_floor()
    {
        // Given an old clip that is not stored, on a disk below the floor (but above the critical floor)
        var clips = new[] { Clip("unstored", 60, stored: false), Clip("stored", 50) };

        // When
        var plan = RetentionPlanner.Plan(clips, Rules(maxDays: 30, totalMaxBytes: 1, minFree: 500 * Mb, critical: 1 * Mb), [Volume(100 * Mb)], Now);

        // Then
        Assert.Equal(["stored"], Ids(plan, DeletionTarget.Local));
        Assert.Equal(["unstored"], plan.KeptPendingUpload.Select(c => c.Value));
    }

    [Fact]
    public void Should_shrink_a_camera_to_its_cap_plain_motion_first_then_alerted_oldest_first()
    {
        // Given 4 clips of 10 MB (40 MB) and a 20 MB cap
        var clips = new[] { Clip("a-alerted", 10, alerted: true), Clip("b", 8), Clip("c", 6), Clip("d-alerted", 4, alerted: true) };

        // When
        var plan = RetentionPlanner.Plan(clips, Rules(cameraMaxBytes: 20 * Mb), [], Now);

        // Then the two plain clips go first (oldest first), the alerted ones stay
        Assert.Equal(["b", "c"], Ids(plan, DeletionTarget.Local));
        Assert.All(plan.Deletions, d => Assert.Equal(DeletionReason.Size, d.Reason));
    }

    [Fact]
    public void Should_keep_all_cameras_together_below_the_global_cap()
    {
        // Given 30 MB over two cameras, a global cap of 15 MB
        var clips = new[] { Clip("front-1", 3), Clip("back-1", 2, camera: "back"), Clip("front-2", 1) };

        // When
        var plan = RetentionPlanner.Plan(clips, Rules(totalMaxBytes: 15 * Mb), [], Now);

        // Then the two oldest go, whatever their camera
        Assert.Equal(["front-1", "back-1"], Ids(plan, DeletionTarget.Local));
    }

    [Fact]
    public void Should_free_a_volume_up_to_the_floor_and_no_further()
    {
        // Given 5 MB free, a 25 MB floor, clips of 10 MB
        var clips = new[] { Clip("a", 5), Clip("b", 4), Clip("c", 3), Clip("d", 2) };

        // When
        var plan = RetentionPlanner.Plan(clips, Rules(minFree: 25 * Mb), [Volume(5 * Mb)], Now);

        // Then exactly two (5 + 20 ≥ 25)
        Assert.Equal(["a", "b"], Ids(plan, DeletionTarget.Local));
        Assert.All(plan.Deletions, d => Assert.Equal(DeletionReason.Floor, d.Reason));
    }

    [Fact]
    public void Should_delete_stored_copies_on_the_same_volume_when_local_files_are_not_enough()
    {
        // Given a local storage backend on the same disk, local files already gone
        var clips = new[] { Clip("a", 5, bytes: null, remoteBytes: 10 * Mb), Clip("b", 4, bytes: null, remoteBytes: 10 * Mb), Clip("c", 3, remoteBytes: 10 * Mb) };

        // When
        var plan = RetentionPlanner.Plan(clips, Rules(minFree: 25 * Mb), [Volume(0)], Now);

        // Then c's local file first, then the oldest stored copies
        Assert.Equal(["c"], Ids(plan, DeletionTarget.Local));
        Assert.Equal(["a", "b"], Ids(plan, DeletionTarget.Remote));
    }

    [Fact]
    public void Should_delete_the_oldest_unstored_clips_only_below_the_critical_floor()
    {
        // Given only unstored clips and 1 MB free; critical floor 15 MB
        var clips = new[] { Clip("u1", 3, stored: false), Clip("u2", 2, stored: false), Clip("u3", 1, stored: false) };

        // When
        var plan = RetentionPlanner.Plan(clips, Rules(minFree: 50 * Mb, critical: 15 * Mb), [Volume(1 * Mb)], Now);

        // Then the two oldest go, with the critical reason, and the volume is reported regained
        Assert.Equal(["u1", "u2"], Ids(plan, DeletionTarget.Local));
        Assert.All(plan.Deletions, d => Assert.Equal(DeletionReason.FloorCritical, d.Reason));
        Assert.Empty(plan.BelowCritical);
    }

    [Fact]
    public void Should_report_a_volume_still_below_the_critical_floor()
    {
        // Given nothing left to delete
        var clips = new[] { Clip("gone", 3, bytes: null) };

        // When
        var plan = RetentionPlanner.Plan(clips, Rules(minFree: 50 * Mb, critical: 15 * Mb), [Volume(1 * Mb)], Now);

        // Then
        Assert.Empty(plan.Deletions);
        Assert.Equal(["/data"], plan.BelowCritical);
    }

    [Fact]
    public void Should_delete_source_files_once_stored_when_asked_and_stored_copies_past_remote_max_days()
    {
        // Given
        var clips = new[] { Clip("stored", 1), Clip("unstored", 1, stored: false), Clip("old", 400) };

        // When
        var plan = RetentionPlanner.Plan(clips, Rules(remoteMaxDays: 365, sourceFiles: SourceFilesPolicy.DeleteAfterStored), [], Now);

        // Then
        Assert.Equal(["old", "stored"], Ids(plan, DeletionTarget.Local).Order(StringComparer.Ordinal));
        Assert.All(plan.Deletions.Where(d => d.Target == DeletionTarget.Local), d => Assert.Equal(DeletionReason.SourceFiles, d.Reason));
        Assert.Equal(["old"], Ids(plan, DeletionTarget.Remote));
        Assert.Equal(DeletionReason.Age, plan.Deletions.Single(d => d.Target == DeletionTarget.Remote).Reason);
    }

    [Fact]
    public void Should_delete_nothing_without_rules()
    {
        // Given
        var clips = new[] { Clip("a", 1000), Clip("b", 1000, stored: false) };

        // When
        var plan = RetentionPlanner.Plan(clips, RetentionConfig.Disabled, [Volume(0)], Now);

        // Then
        Assert.Empty(plan.Deletions);
    }

    [Fact]
    public void Should_delete_every_copy_of_the_clips_the_recheck_found_nothing_in()
    {
        // Given
        var clips = new[] { Clip("empty", 3), Clip("person", 3), Clip("empty-unstored", 3, stored: false) };

        // When
        var plan = RetentionPlanner.PlanRecheck(clips, new HashSet<ClipId> { ClipId.Parse("empty"), ClipId.Parse("empty-unstored") });

        // Then
        Assert.Equal(["empty", "empty-unstored"], Ids(plan, DeletionTarget.Local));
        Assert.Equal(["empty"], Ids(plan, DeletionTarget.Remote));
        Assert.All(plan.Deletions, d => Assert.Equal(DeletionReason.Recheck, d.Reason));
    }
}
