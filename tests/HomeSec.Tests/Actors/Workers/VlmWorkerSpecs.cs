using System.Text.Json.Nodes;
using Akka.Actor;
using HomeSec.Actors.Clips;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Workers;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Analyzers.OpenAi;
using HomeSec.Core.Plugins.Storage.Local;
using HomeSec.Core.Results;
using HomeSec.Tests.Actors.TestSupport;
using HomeSec.Tests.Plugins.Analyzers;
using HomeSec.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static HomeSec.Actors.Clips.ClipProtocol;
using static HomeSec.Actors.Workers.WorkerProtocol;
using static HomeSec.Core.Clips.ClipEvents;

namespace HomeSec.Tests.Actors.Workers;

public sealed class VlmWorkerSpecs(TestClipFixture fixture)
    : Akka.TestKit.Xunit2.TestKit(HomeSecAkkaExtensions.HomeSecConfig()), IClassFixture<TestClipFixture>
{
    private static readonly FilterResult Person = new(["person"], 0.9, 4, "test-model");

    private static readonly AnalysisResult Analysis = new(RiskLevel.High, "loitering", "A person lingers at the door.", RequiresReview: false,
        [new TimelineEntry(1, "person", "stands at the door")], new TokenUsage(1000, 50, 1050), "test-model-2026");

    [Fact]
    public void Should_store_analysis_json_beside_the_clip_when_the_analysis_succeeds()
    {
        // Given
        var root = Path.Combine(Path.GetTempPath(), "homesec-storage-" + Guid.NewGuid().ToString("N"));
        var storage = new LocalStorage(new LocalStorageOptions(root, null));
        var clip = PipelineProbes.Clip();
        IgnoreMessages(m => m is HomeSec.Actors.Workers.WorkerProtocol.StageJobStarted or HomeSec.Actors.Workers.WorkerProtocol.StageJobQueued);
        var worker = Sys.ActorOf(VlmWorker.Props(new StubAnalyzer(Analysis), "openai", TimeSpan.FromSeconds(10), storage, parallelism: 1));

        // When
        worker.Tell(new StartVlm(clip, Person, 1), TestActor);

        // Then
        var reply = ExpectMsg<VlmStageResult>();
        Assert.Equal(Analysis, Assert.IsType<StageResult<AnalysisResult>.Success>(reply.Outcome).Value);
        var stored = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "front_door", $"{clip.ClipId}.analysis.json")))!;
        Assert.Equal(clip.ClipId.Value, (string?)stored["clip_id"]);
        Assert.Equal("high", (string?)stored["analysis"]!["risk_level"]);
        Assert.Equal("loitering", (string?)stored["analysis"]!["activity_type"]);
        Assert.Equal(1050, (int)stored["analysis"]!["usage"]!["total_tokens"]!);
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void Should_still_reply_with_the_analysis_when_storing_analysis_json_fails()
    {
        // Given
        var clip = PipelineProbes.Clip();
        IgnoreMessages(m => m is HomeSec.Actors.Workers.WorkerProtocol.StageJobStarted or HomeSec.Actors.Workers.WorkerProtocol.StageJobQueued);
        var worker = Sys.ActorOf(VlmWorker.Props(new StubAnalyzer(Analysis), "openai", TimeSpan.FromSeconds(10), new BrokenStorage(), parallelism: 1));

        // When
        worker.Tell(new StartVlm(clip, Person, 1), TestActor);

        // Then
        var reply = ExpectMsg<VlmStageResult>();
        Assert.IsType<StageResult<AnalysisResult>.Success>(reply.Outcome);
    }

    public static TheoryData<string, string> FailingServers => new()
    {
        { "401", "answered 401 Unauthorized" },
        { "500", "answered 500 InternalServerError" },
        { "not json", "raw reply: no JSON here" },
        { "schema mismatch", "risk_level \"extreme\" is not one of low, medium, high, critical" },
    };

    [Theory]
    [MemberData(nameof(FailingServers))]
    public async Task Should_record_vlm_failed_and_still_alert_on_the_filter_when_the_openai_server_fails(string scenario, string expectedError)
    {
        // Given
        await using var server = new FakeOpenAiServer((_, _) => scenario switch
        {
            "401" => FakeOpenAiServer.Error(401, "Incorrect API key provided"),
            "500" => FakeOpenAiServer.Error(500, "The server had an error", "server_error"),
            "not json" => FakeOpenAiServer.Completion("no JSON here"),
            _ => FakeOpenAiServer.Completion("""{"risk_level":"extreme","activity_type":"loitering","summary":"x","entities_timeline":[],"requires_review":false}"""),
        });
        var probes = new PipelineProbes(this);
        var parent = CreateTestProbe();

        // When
        StartClipWithOpenAi(server, probes, parent);

        // Then
        var alert = probes.Notify.ExpectMsg<SendAlert>(TimeSpan.FromSeconds(20));
        Assert.Contains("person detected without a VLM analysis", alert.Alert.NotifyReason);
        probes.Notify.Reply(new NotifyResult(alert.Alert.ClipId, alert.Attempt, [StageResult<string>.Ok("log")]));
        var events = probes.EventsUntilCompleted(TimeSpan.FromSeconds(20));
        var failed = Assert.Single(events.OfType<VlmFailed>());
        Assert.False(failed.WillRetry);
        Assert.Equal("openai", failed.Error.Plugin);
        Assert.Contains(expectedError, failed.Error.Message);
        Assert.DoesNotContain(expectedError, alert.Alert.NotifyReason, StringComparison.Ordinal);
        Assert.DoesNotContain(server.BaseUrl, alert.Alert.NotifyReason, StringComparison.Ordinal);
        // The alert went out on the filter: the clip is done, its VLM failure recorded in the events above.
        Assert.Equal(ClipStatus.Done, parent.ExpectMsg<ClipProcessed>().Status);
    }

    [Fact]
    public async Task Should_record_vlm_completed_with_token_usage_when_the_openai_server_answers_a_valid_analysis()
    {
        // Given
        await using var server = new FakeOpenAiServer((_, _) => FakeOpenAiServer.Completion(
            """{"risk_level":"medium","activity_type":"visitor","summary":"Someone rings the bell.","entities_timeline":[],"requires_review":false}""",
            promptTokens: 900, completionTokens: 40));
        var probes = new PipelineProbes(this);
        var parent = CreateTestProbe();

        // When
        StartClipWithOpenAi(server, probes, parent);

        // Then
        var alert = probes.Notify.ExpectMsg<SendAlert>(TimeSpan.FromSeconds(20));
        Assert.Equal(RiskLevel.Medium, alert.Alert.RiskLevel);
        probes.Notify.Reply(new NotifyResult(alert.Alert.ClipId, alert.Attempt, [StageResult<string>.Ok("log")]));
        var completed = Assert.Single(probes.EventsUntilCompleted(TimeSpan.FromSeconds(20)).OfType<VlmCompleted>());
        Assert.Equal(new TokenUsage(900, 40, 940), completed.Result.Usage);
        Assert.Equal("visitor", completed.Result.ActivityType);
        Assert.Equal(ClipStatus.Done, parent.ExpectMsg<ClipProcessed>().Status);
    }

    /// <summary>A clip supervisor whose VLM stage is a real <see cref="VlmWorker"/> around the openai analyzer.</summary>
    private void StartClipWithOpenAi(FakeOpenAiServer server, PipelineProbes probes, Akka.TestKit.TestProbe parent)
    {
        var options = new OpenAiAnalyzerOptions(new Uri(server.BaseUrl), "vision-test", null, MaxFrames: 1, MaxSize: 128, Quality: 70,
            OpenAiAnalyzerOptions.DefaultPrompt, ResponseFormatMode.Auto, 512, null, MaxRetries: 1, TimeSpan.FromMilliseconds(10),
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), ActivityVocabulary.Builtin);
        var analyzer = new OpenAiAnalyzer(options, NullLogger<OpenAiAnalyzer>.Instance, TimeProvider.System);
        IgnoreMessages(m => m is HomeSec.Actors.Workers.WorkerProtocol.StageJobStarted or HomeSec.Actors.Workers.WorkerProtocol.StageJobQueued);
        var worker = Sys.ActorOf(VlmWorker.Props(analyzer, "openai", TimeSpan.FromSeconds(30), storage: null, parallelism: 1));
        var pipeline = probes.Pipeline(PipelineProbes.FastRetry(maxAttempts: 1));
        pipeline = pipeline with { Vlm = worker, Rules = pipeline.Rules with { VlmPlugin = "openai" } };
        var clip = fixture.Clip;
        parent.ChildActorOf(ClipSupervisor.Props(clip, pipeline));
        var upload = probes.Uploads.ExpectMsg<StartUpload>();
        probes.Uploads.Reply(new UploadResult(clip.ClipId, upload.Attempt, StageResult<StoredObject>.Ok(new StoredObject("local://x", "file:///x"))));
        var filter = probes.Filters.ExpectMsg<StartFilter>();
        probes.Filters.Reply(new FilterStageResult(clip.ClipId, filter.Attempt, StageResult<FilterResult>.Ok(Person)));
    }

    private sealed class StubAnalyzer(AnalysisResult result) : IVlmAnalyzer
    {
        public Task<AnalysisResult> AnalyzeAsync(RecordedClip clip, FilterResult filter, CancellationToken cancellationToken) => Task.FromResult(result);
    }

    private sealed class BrokenStorage : IStorageBackend
    {
        public Task<StoredObject> PutFileAsync(string localPath, string key, CancellationToken cancellationToken) => throw new IOException("disk full");

        public Task<StoredObject> PutJsonAsync(string key, string json, CancellationToken cancellationToken) => throw new IOException("disk full");

        public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => throw new IOException("disk full");

        public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => throw new IOException("disk full");

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => throw new IOException("disk full");
    }
}
