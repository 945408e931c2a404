using Akka.Actor;
using Akka.Routing;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Inference;
using HomeSec.Actors.Workers;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Inference;
using HomeSec.Core.Plugins.Filters.Yolo;
using HomeSec.Core.Results;
using HomeSec.Tests.TestSupport;
using Xunit;
using static HomeSec.Actors.Workers.WorkerProtocol;

namespace HomeSec.Tests.Actors.Inference;

/// <summary>
/// The yolo filter through the real path: ffmpeg samples and letterboxes a real H.264 clip, the frames go
/// to the inference actor pool, ONNX Runtime runs the committed red-patch model, and the output is
/// decoded, suppressed and mapped back to source pixels.
/// </summary>
public sealed class YoloFilterSpecs : Akka.TestKit.Xunit2.TestKit, IClassFixture<YoloClipsFixture>
{
    private readonly YoloClipsFixture _clips;
    private readonly DetectorModel _model = DetectorModel.Load(YoloTestData.RedPatchModel);
    private readonly InferenceClient _client;

    public YoloFilterSpecs(YoloClipsFixture clips)
        : base(HomeSecAkkaExtensions.HomeSecConfig())
    {
        _clips = clips;
        var options = new InferenceOptions(ExecutionProviderChoice.Cpu, 1, 1, 8);
        _client = new InferenceClient(_model);
        var pool = Sys.ActorOf(InferenceActor.Props(_model, options).WithRouter(new RoundRobinPool(1)), "inference");
        _client.Bind(pool, Sys.ActorOf(InferenceReplies.Props(_client), "inference-replies"));
    }

    private YoloFilter Filter(bool earlyExit = true, IReadOnlyCollection<string>? triggers = null) =>
        new(new YoloFilterOptions(_model, 2, 0.5f, 0.45f, 0.05, [], earlyExit, InferenceOptions.Default), _client, triggers ?? ["person"]);

    private static RecordedClip Clip(string path)
    {
        var at = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
        return new RecordedClip(ClipId.For("front_door", at), "front_door", path, at, at.AddSeconds(4), new FileInfo(path).Length);
    }

    [Fact]
    public async Task Should_detect_a_person_with_its_box_in_source_pixels_when_the_clip_shows_a_red_box()
    {
        // Given
        var filter = Filter(earlyExit: false);

        // When
        var result = await filter.DetectAsync(Clip(_clips.RedBox), CancellationToken.None);

        // Then
        Assert.Equal(["person"], result.DetectedClasses);
        Assert.Equal(0.9, result.BestConfidence, 3);
        Assert.Equal("red_patch_detector", result.Model);
        Assert.Equal(8, result.SampledFrames);
        Assert.Equal((1280, 720), (result.FrameWidth, result.FrameHeight));
        Assert.Equal(8, result.Frames!.Count);
        foreach (var frame in result.Frames)
        {
            // One box per frame: NMS removed the model's grown duplicate.
            var box = Assert.Single(frame.Boxes);
            Assert.Equal("person", box.Class);
            var expectedX = YoloTestData.BoxXAt(frame.TimeS);
            Assert.InRange(box.X1, expectedX - 4, expectedX + 4);
            Assert.InRange(box.X2, expectedX + YoloTestData.BoxWidth - 4, expectedX + YoloTestData.BoxWidth + 4);
            Assert.InRange(box.Y1, YoloTestData.BoxY - 4, YoloTestData.BoxY + 4);
            Assert.InRange(box.Y2, YoloTestData.BoxY + YoloTestData.BoxHeight - 4, YoloTestData.BoxY + YoloTestData.BoxHeight + 4);
        }

        Assert.Equal([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5], result.Frames.Select(f => f.TimeS));
    }

    [Fact]
    public async Task Should_detect_nothing_when_the_scene_is_empty()
    {
        // Given
        var filter = Filter();

        // When
        var result = await filter.DetectAsync(Clip(_clips.Empty), CancellationToken.None);

        // Then
        Assert.Empty(result.DetectedClasses);
        Assert.Empty(result.Frames!);
        Assert.Equal(8, result.SampledFrames);
        Assert.False(result.MotionOnly);
    }

    [Fact]
    public async Task Should_detect_a_car_when_the_clip_shows_a_blue_box()
    {
        // Given
        var filter = Filter(earlyExit: false);

        // When
        var result = await filter.DetectAsync(Clip(_clips.BlueBox), CancellationToken.None);

        // Then
        Assert.Equal(["car"], result.DetectedClasses);
        Assert.All(result.Frames!, f => Assert.Equal("car", Assert.Single(f.Boxes).Class));
    }

    [Fact]
    public async Task Should_sample_fewer_frames_when_a_trigger_class_is_seen_and_early_exit_is_on()
    {
        // Given
        var early = Filter(earlyExit: true);
        var full = Filter(earlyExit: false);

        // When
        var stopped = await early.DetectAsync(Clip(_clips.RedBox), CancellationToken.None);
        var all = await full.DetectAsync(Clip(_clips.RedBox), CancellationToken.None);

        // Then
        Assert.Equal(1, stopped.SampledFrames);
        Assert.Equal(["person"], stopped.DetectedClasses);
        Assert.Equal(8, all.SampledFrames);
    }

    [Fact]
    public async Task Should_look_at_every_frame_when_the_seen_class_is_not_a_trigger_class()
    {
        // Given
        var filter = Filter(earlyExit: true, triggers: ["person"]);

        // When
        var result = await filter.DetectAsync(Clip(_clips.BlueBox), CancellationToken.None);

        // Then
        Assert.Equal(8, result.SampledFrames);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    public void Should_reply_with_a_filter_error_when_the_clip_is_corrupt(string kind)
    {
        // Given
        var path = kind == "garbage" ? _clips.Garbage : _clips.Truncated;
        IgnoreMessages(m => m is HomeSec.Actors.Workers.WorkerProtocol.StageJobStarted or HomeSec.Actors.Workers.WorkerProtocol.StageJobQueued);
        var worker = Sys.ActorOf(FilterWorker.Props(Filter(), "yolo", TimeSpan.FromSeconds(20), parallelism: 1));

        // When
        worker.Tell(new StartFilter(Clip(path), 1), TestActor);

        // Then
        var reply = ExpectMsg<FilterStageResult>(TimeSpan.FromSeconds(20));
        var failure = Assert.IsType<StageResult<FilterResult>.Failure>(reply.Outcome);
        var error = Assert.IsType<FilterError>(failure.Error);
        Assert.Equal("yolo", error.Plugin);
        Assert.IsType<InvalidDataException>(error.Exception);
    }

    [Fact]
    public void Should_reply_with_a_timeout_error_and_stop_ffmpeg_when_the_detector_never_answers()
    {
        // Given
        var silent = new SilentDetector();
        var filter = new YoloFilter(new YoloFilterOptions(_model, 2, 0.5f, 0.45f, 0, [], true, InferenceOptions.Default), silent, ["person"]);
        IgnoreMessages(m => m is HomeSec.Actors.Workers.WorkerProtocol.StageJobStarted or HomeSec.Actors.Workers.WorkerProtocol.StageJobQueued);
        var worker = Sys.ActorOf(FilterWorker.Props(filter, "yolo", TimeSpan.FromMilliseconds(500), parallelism: 1));

        // When
        worker.Tell(new StartFilter(Clip(_clips.RedBox), 1), TestActor);

        // Then
        var reply = ExpectMsg<FilterStageResult>(TimeSpan.FromSeconds(10));
        var failure = Assert.IsType<StageResult<FilterResult>.Failure>(reply.Outcome);
        Assert.IsType<TimeoutException>(failure.Error.Exception);
        AwaitCondition(() => ChildFfmpegProcesses(_clips.RedBox) == 0, TimeSpan.FromSeconds(5));
    }

    /// <summary>ffmpeg children of this test process that are reading <paramref name="clipPath"/>.</summary>
    private static int ChildFfmpegProcesses(string clipPath) =>
        Directory.GetDirectories("/proc")
            .Where(d => int.TryParse(Path.GetFileName(d), out _))
            .Count(d =>
            {
                try
                {
                    var status = File.ReadAllText(Path.Combine(d, "status"));
                    var parent = status.Split('\n').FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal))?.Split('\t', ' ').Last();
                    var commandLine = File.ReadAllText(Path.Combine(d, "cmdline"));
                    return parent == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)
                           && commandLine.StartsWith("ffmpeg", StringComparison.Ordinal) && commandLine.Contains(clipPath, StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false;
                }
            });

    private sealed class SilentDetector : IDetector
    {
        public async Task<IReadOnlyList<Detection>> DetectAsync(byte[] frame, float minConfidence, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return [];
        }
    }
}

/// <summary>The synthetic clips, made once per test class with ffmpeg.</summary>
public sealed class YoloClipsFixture : IAsyncLifetime
{
    private readonly TempDirectory _folder = new();

    public string RedBox => _folder.Combine("red-box.mp4");

    public string BlueBox => _folder.Combine("blue-box.mp4");

    public string Empty => _folder.Combine("empty.mp4");

    public string Garbage => _folder.Combine("garbage.mp4");

    public string Truncated => _folder.Combine("truncated.mp4");

    public async Task InitializeAsync()
    {
        await Task.WhenAll(
            YoloTestData.MakeMovingBoxClipAsync(RedBox),
            YoloTestData.MakeMovingBoxClipAsync(BlueBox, color: "blue"),
            YoloTestData.MakeEmptySceneClipAsync(Empty));
        await File.WriteAllBytesAsync(Garbage, Enumerable.Range(0, 50_000).Select(i => (byte)(i * 7919 % 251)).ToArray());
        var whole = await File.ReadAllBytesAsync(RedBox);
        await File.WriteAllBytesAsync(Truncated, whole[..(whole.Length / 2)]);
    }

    public Task DisposeAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }
}
