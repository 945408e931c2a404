using Akka.Actor;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Inference;
using HomeSec.Core.Inference;
using HomeSec.Tests.TestSupport;
using Xunit;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Tests.Actors.Inference;

public sealed class InferenceActorSpecs() : Akka.TestKit.Xunit2.TestKit(HomeSecAkkaExtensions.HomeSecConfig())
{
    private readonly DetectorModel _model = DetectorModel.Load(YoloTestData.RedPatchModel);

    [Fact]
    public void Should_run_requests_that_arrive_together_as_one_batch_and_answer_each_one()
    {
        // Given
        // eight requests queued while the actor is still opening its session: they arrive together
        var actor = Sys.ActorOf(InferenceActor.Props(_model, new InferenceOptions(ExecutionProviderChoice.Cpu, 1, 1, MaxBatch: 8)));
        var red = YoloTestData.Frame(_model, (100, 200, 50, 120));
        var empty = YoloTestData.Frame(_model);

        // When
        for (var id = 1; id <= 8; id++)
        {
            actor.Tell(new Detect(id, id % 2 == 0 ? red : empty, 0.5f), TestActor);
        }

        // Then
        var replies = Enumerable.Range(0, 8).Select(_ => ExpectMsg<DetectResult>(TimeSpan.FromSeconds(10))).ToDictionary(r => r.RequestId);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), replies.Keys.Order());
        foreach (var (id, reply) in replies)
        {
            if (id % 2 == 0)
            {
                Assert.Contains(reply.Detections!, d => d is { ClassId: 0, X1: 100, Y1: 200, X2: 150, Y2: 320 });
            }
            else
            {
                Assert.Empty(reply.Detections!);
            }
        }

        actor.Tell(GetInferenceStatus.Instance, TestActor);
        var status = ExpectMsg<InferenceStatus>();
        Assert.Equal((1L, 8L, "cpu"), (status.Batches, status.Frames, status.Provider));
    }

    [Fact]
    public void Should_answer_every_waiting_request_with_an_error_when_the_actor_stops_before_running_it()
    {
        // Given
        var actor = Sys.ActorOf(InferenceActor.Props(_model, new InferenceOptions(ExecutionProviderChoice.Cpu, 1, 1, MaxBatch: 1)));
        var frame = YoloTestData.Frame(_model);
        for (var id = 1; id <= 5; id++)
        {
            actor.Tell(new Detect(id, frame, 0.5f), TestActor);
        }

        // When
        actor.Tell(PoisonPill.Instance); // behind the requests: they are queued in the actor when it stops

        // Then
        var replies = Enumerable.Range(0, 5).Select(_ => ExpectMsg<DetectResult>(TimeSpan.FromSeconds(10))).ToList();
        Assert.Equal(Enumerable.Range(1, 5).Select(i => (long)i), replies.Select(r => r.RequestId).Order());
        Assert.Contains(replies, r => r.Error == "the inference actor stopped before running this frame");
    }

    [Fact]
    public void Should_split_into_runs_of_at_most_max_batch_when_more_requests_arrive_together()
    {
        // Given
        var actor = Sys.ActorOf(InferenceActor.Props(_model, new InferenceOptions(ExecutionProviderChoice.Cpu, 1, 1, MaxBatch: 4)));
        var frame = YoloTestData.Frame(_model);

        // When
        for (var id = 1; id <= 10; id++)
        {
            actor.Tell(new Detect(id, frame, 0.5f), TestActor);
        }

        // Then
        ReceiveN(10, TimeSpan.FromSeconds(10));
        actor.Tell(GetInferenceStatus.Instance, TestActor);
        var status = ExpectMsg<InferenceStatus>();
        Assert.Equal((3L, 10L), (status.Batches, status.Frames));
    }

    [Fact]
    public void Should_answer_with_an_error_value_when_a_frame_does_not_fit_the_model()
    {
        // Given
        var actor = Sys.ActorOf(InferenceActor.Props(_model, new InferenceOptions(ExecutionProviderChoice.Cpu, 1, 1, 8)));

        // When
        actor.Tell(new Detect(7, new byte[10], 0.5f), TestActor);

        // Then
        var reply = ExpectMsg<DetectResult>();
        Assert.Equal(7, reply.RequestId);
        Assert.Null(reply.Detections);
        Assert.Contains("smaller than the model input", reply.Error);
    }

    [Fact]
    public async Task Should_complete_the_callers_task_without_ask_when_a_plugin_uses_the_client()
    {
        // Given
        var client = new InferenceClient(_model);
        var options = new InferenceOptions(ExecutionProviderChoice.Cpu, 1, 1, 8);
        var detector = client.Detector(_model, options);
        client.Bind(Sys.ActorOf(InferenceActor.Props(_model, options)), Sys.ActorOf(InferenceReplies.Props(client)));

        // When
        var found = await detector.DetectAsync(YoloTestData.Frame(_model, (10, 20, 30, 40)), 0.5f, CancellationToken.None);

        // Then
        Assert.Equal(new Detection(0, 0.9f, 10, 20, 40, 60), found.OrderByDescending(d => d.Confidence).First());
        Assert.Equal(0, client.PendingRequests);
    }
}
