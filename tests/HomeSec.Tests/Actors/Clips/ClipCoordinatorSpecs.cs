using HomeSec.Actors.Clips;
using HomeSec.Actors.Hosting;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Plugins;
using HomeSec.Core.Results;
using HomeSec.Tests.Actors.TestSupport;
using Xunit;
using static HomeSec.Actors.Clips.ClipProtocol;
using static HomeSec.Actors.Workers.WorkerProtocol;

namespace HomeSec.Tests.Actors.Clips;

public sealed class ClipCoordinatorSpecs() : Akka.TestKit.Xunit2.TestKit(HomeSecAkkaExtensions.HomeSecConfig())
{
    [Fact]
    public void Should_start_at_most_max_clips_in_flight_when_more_clips_arrive()
    {
        // Given
        var probes = new PipelineProbes(this);
        var coordinator = Sys.ActorOf(ClipCoordinator.Props(probes.Pipeline(policy: PipelineProbes.Policy(notifyOnMotion: false)), maxInFlight: 2));
        var clips = Enumerable.Range(0, 3).Select(i => PipelineProbes.Clip(second: i)).ToList();

        // When
        foreach (var clip in clips)
        {
            coordinator.Tell(new ProcessClip(clip), TestActor);
        }

        // Then
        var first = probes.Uploads.ExpectMsg<StartUpload>();
        var firstSupervisor = probes.Uploads.LastSender;
        probes.Uploads.ExpectMsg<StartUpload>();
        probes.Uploads.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        coordinator.Tell(GetClipsInFlight.Instance, TestActor);
        var inFlight = ExpectMsg<ClipsInFlight>();
        Assert.Equal(2, inFlight.Running.Count);
        Assert.Equal(1, inFlight.Waiting);

        FinishClip(probes, first.Clip, firstSupervisor);
        Assert.Equal(first.Clip.ClipId, ExpectMsg<ClipProcessed>().ClipId);
        Assert.Equal(clips[2].ClipId, probes.Uploads.ExpectMsg<StartUpload>().Clip.ClipId);
    }

    [Fact]
    public void Should_ignore_a_clip_when_the_same_clip_id_is_already_in_the_pipeline()
    {
        // Given
        var probes = new PipelineProbes(this);
        var coordinator = Sys.ActorOf(ClipCoordinator.Props(probes.Pipeline(policy: PipelineProbes.Policy(notifyOnMotion: false)), maxInFlight: 1));
        var running = PipelineProbes.Clip(second: 1);
        var waiting = PipelineProbes.Clip(second: 2);

        // When
        coordinator.Tell(new ProcessClip(running), TestActor);
        coordinator.Tell(new ProcessClip(waiting), TestActor);
        coordinator.Tell(new ProcessClip(running with { Resumed = true }), TestActor);
        coordinator.Tell(new ProcessClip(waiting), TestActor);

        // Then
        coordinator.Tell(GetClipsInFlight.Instance, TestActor);
        var inFlight = ExpectMsg<ClipsInFlight>();
        Assert.Equal([running.ClipId], inFlight.Running);
        Assert.Equal(1, inFlight.Waiting);
        Assert.Equal(running.ClipId, probes.Uploads.ExpectMsg<StartUpload>().Clip.ClipId);
        probes.Uploads.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Should_finish_the_clips_in_flight_and_start_no_others_when_draining_for_shutdown()
    {
        // Given
        var probes = new PipelineProbes(this);
        var coordinator = Sys.ActorOf(ClipCoordinator.Props(probes.Pipeline(policy: PipelineProbes.Policy(notifyOnMotion: false)), maxInFlight: 1));
        var running = PipelineProbes.Clip(second: 1);
        coordinator.Tell(new ProcessClip(running), TestActor);
        coordinator.Tell(new ProcessClip(PipelineProbes.Clip(second: 2)), TestActor);
        probes.Uploads.ExpectMsg<StartUpload>();
        var supervisor = probes.Uploads.LastSender;
        var drainer = CreateTestProbe();

        // When
        coordinator.Tell(DrainClips.Instance, drainer);
        coordinator.Tell(new ProcessClip(PipelineProbes.Clip(second: 3)), TestActor);
        drainer.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        FinishClip(probes, running, supervisor);

        // Then
        Assert.Equal(new Drained(0), drainer.ExpectMsg<Drained>());
        Assert.Equal(running.ClipId, ExpectMsg<ClipProcessed>().ClipId);
        probes.Uploads.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    private static void FinishClip(PipelineProbes probes, RecordedClip clip, Akka.Actor.IActorRef supervisor)
    {
        supervisor.Tell(new UploadResult(clip.ClipId, 1, StageResult<StoredObject>.Ok(new StoredObject("local://x", null))), Akka.Actor.ActorRefs.NoSender);
        supervisor.Tell(new FilterStageResult(clip.ClipId, 1, StageResult<FilterResult>.Ok(FilterResult.NoDetector)), Akka.Actor.ActorRefs.NoSender);
    }
}
