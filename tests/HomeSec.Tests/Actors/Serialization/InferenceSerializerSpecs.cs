using Akka.Actor;
using Akka.Serialization;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Serialization;
using HomeSec.Core.Inference;
using Xunit;
using Xunit.Abstractions;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Tests.Actors.Serialization;

/// <summary>Frames and detections between cluster nodes: bound to the binary serializer, and unchanged by the round trip.</summary>
public sealed class InferenceSerializerSpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(HomeSecAkkaExtensions.HomeSecConfig())
{
    private Serializer SerializerFor(object message) => Sys.Serialization.FindSerializerFor(message);

    private T RoundTrip<T>(T message)
        where T : notnull
    {
        var serializer = (SerializerWithStringManifest)SerializerFor(message);
        return (T)serializer.FromBinary(serializer.ToBinary(message), serializer.Manifest(message));
    }

    [Fact]
    public void Should_carry_a_640_by_640_frame_without_letterbox_as_its_bytes_plus_the_header_when_a_detect_request_is_serialized()
    {
        // Given
        var frame = new byte[640 * 640 * 3];
        new Random(7).NextBytes(frame);
        frame[0] = 1;
        frame[1] = 2;
        frame[^1] = 3;
        frame[^2] = 4;
        var request = new Detect(42, frame, 0.35f);

        // When
        var serializer = SerializerFor(request);
        var bytes = serializer.ToBinary(request);
        var back = RoundTrip(request);

        // Then
        Assert.IsType<InferenceSerializer>(serializer);
        Assert.Equal(640 * 640 * 3 - 2 + InferenceSerializer.DetectHeaderBytes, bytes.Length); // the two one-byte "runs" at its ends
        Assert.True(bytes.Length < HomeSecClusterExtensions.MaxFrameBytes);
        Assert.Equal(42, back.RequestId);
        Assert.Equal(0.35f, back.MinConfidence);
        Assert.Equal(frame, back.Frame);
        output.WriteLine($"bytes per 640x640 frame on the wire (payload): {bytes.Length:N0}; as float32 it would be {640 * 640 * 3 * 4:N0}");
    }

    [Fact]
    public void Should_send_only_the_picture_of_a_letterboxed_frame_and_give_back_every_byte_when_it_makes_the_round_trip()
    {
        // Given: a 16:9 picture in a 640x640 input, grey 114 bars above and below; the picture's own first and last
        // pixels are grey too, which the receiver must put back as they were
        var frame = new byte[640 * 640 * 3];
        Array.Fill(frame, (byte)114);
        var picture = frame.AsSpan(140 * 640 * 3, 360 * 640 * 3);
        new Random(3).NextBytes(picture);
        picture[..30].Fill(114);
        picture[^30..].Fill(114);
        var request = new Detect(9, frame, 0.5f);

        // When
        var serializer = SerializerFor(request);
        var bytes = serializer.ToBinary(request);
        var back = RoundTrip(request);

        // Then
        Assert.Equal(360 * 640 * 3 - 60 + InferenceSerializer.DetectHeaderBytes, bytes.Length);
        Assert.Equal(bytes.Length, InferenceSerializer.WireBytes(frame));
        Assert.Equal(frame, back.Frame);
        output.WriteLine($"bytes per letterboxed 16:9 frame on the wire: {bytes.Length:N0} of {frame.Length:N0}");
    }

    [Fact]
    public void Should_give_back_a_frame_of_one_colour_and_an_empty_frame_when_they_make_the_round_trip()
    {
        // Given
        var grey = new byte[640 * 640 * 3];
        Array.Fill(grey, (byte)114);

        // When
        var greyBack = RoundTrip(new Detect(1, grey, 0.5f));
        var emptyBack = RoundTrip(new Detect(2, [], 0.5f));

        // Then
        Assert.Equal(grey, greyBack.Frame);
        Assert.Empty(emptyBack.Frame);
    }

    [Fact]
    public void Should_refuse_a_detect_message_whose_runs_do_not_add_up_instead_of_allocating_what_it_claims()
    {
        // Given: a valid message, then its frame length claims 2 GB
        var serializer = (SerializerWithStringManifest)SerializerFor(new Detect(1, new byte[100], 0.5f));
        var bytes = serializer.ToBinary(new Detect(1, [1, 2, 3, 4, 5, 6], 0.5f));
        var huge = (byte[])bytes.Clone();
        BitConverter.TryWriteBytes(huge.AsSpan(12), int.MaxValue);
        var negativeRun = (byte[])bytes.Clone();
        BitConverter.TryWriteBytes(negativeRun.AsSpan(16), -5);

        // When
        var hugeError = Record.Exception(() => serializer.FromBinary(huge, "f"));
        var runError = Record.Exception(() => serializer.FromBinary(negativeRun, "f"));
        var truncated = Record.Exception(() => serializer.FromBinary(bytes[..10], "f"));

        // Then
        Assert.IsType<System.Runtime.Serialization.SerializationException>(hugeError);
        Assert.IsType<System.Runtime.Serialization.SerializationException>(runError);
        Assert.IsType<System.Runtime.Serialization.SerializationException>(truncated);
    }

    [Fact]
    public void Should_read_a_whole_frame_written_by_the_previous_release_when_a_node_is_one_release_behind()
    {
        // Given: the first cluster release's layout: id, confidence, length, then every byte
        var frame = new byte[] { 114, 114, 7, 8, 114 };
        var old = new byte[16 + frame.Length];
        BitConverter.TryWriteBytes(old.AsSpan(0), 77L);
        BitConverter.TryWriteBytes(old.AsSpan(8), 0.25f);
        BitConverter.TryWriteBytes(old.AsSpan(12), frame.Length);
        frame.CopyTo(old, 16);
        var serializer = (SerializerWithStringManifest)SerializerFor(new Detect(1, frame, 0.5f));

        // When
        var back = (Detect)serializer.FromBinary(old, "d");

        // Then
        Assert.Equal(77, back.RequestId);
        Assert.Equal(0.25f, back.MinConfidence);
        Assert.Equal(frame, back.Frame);
    }

    [Fact]
    public void Should_give_back_every_box_when_a_result_with_detections_makes_the_round_trip()
    {
        // Given
        var result = new DetectResult(7, [new Detection(0, 0.91f, 10.5f, 20, 30, 40.25f), new Detection(15, 0.5f, 0, 0, 640, 640)], null);

        // When
        var back = RoundTrip(result);

        // Then
        Assert.Equal(7, back.RequestId);
        Assert.Equal(result.Detections, back.Detections);
        Assert.Null(back.Error);
    }

    [Fact]
    public void Should_keep_the_difference_between_no_boxes_and_an_error_when_results_make_the_round_trip()
    {
        // Given
        var empty = new DetectResult(1, [], null);
        var failed = new DetectResult(2, null, "a frame of 10 bytes is smaller than the model input (12288) — é");

        // When
        var emptyBack = RoundTrip(empty);
        var failedBack = RoundTrip(failed);

        // Then
        Assert.NotNull(emptyBack.Detections);
        Assert.Empty(emptyBack.Detections);
        Assert.Null(emptyBack.Error);
        Assert.Null(failedBack.Detections);
        Assert.Equal(failed.Error, failedBack.Error);
    }

    [Fact]
    public void Should_refuse_a_truncated_frame_when_it_is_read()
    {
        // Given
        var serializer = (SerializerWithStringManifest)SerializerFor(new Detect(1, new byte[12], 0.5f));
        var bytes = serializer.ToBinary(new Detect(1, new byte[12], 0.5f));

        // When
        var error = Record.Exception(() => serializer.FromBinary(bytes[..^4], "d"));

        // Then
        Assert.IsType<System.Runtime.Serialization.SerializationException>(error);
    }
    [Fact]
    public void Should_carry_a_pools_status_with_its_recent_runs_when_an_nvr_asks_an_inference_node_over_the_wire()
    {
        // Given
        var status = new InferenceStatus(true, "yolo11n", "cuda", 2, 40, 160, 7.5, 8)
        {
            Device = "cuda device 0",
            Queued = 3,
            Recent = new BatchLatency([4.0, 5.5, 9.25], 24, 60),
        };

        // When
        var query = RoundTrip(GetInferenceStatus.Instance);
        var back = RoundTrip(status);

        // Then
        Assert.IsType<InferenceSerializer>(SerializerFor(status));
        Assert.IsType<InferenceSerializer>(SerializerFor(GetInferenceStatus.Instance));
        Assert.Same(GetInferenceStatus.Instance, query);
        Assert.Equal(status with { Recent = back.Recent }, back);
        Assert.Equal([4.0, 5.5, 9.25], back.Recent.BatchMs);
        Assert.Equal(24, back.Recent.Frames);
        Assert.Equal(5.5, back.Recent.P50Ms);
        Assert.Equal(0.4, back.Recent.FramesPerSecond, 3);
    }

    [Fact]
    public void Should_carry_the_frame_port_question_and_its_answer_when_an_nvr_asks_an_inference_node_over_the_wire()
    {
        // Given
        var question = GetFrameChannel.Instance;
        var answer = new FrameChannelAt(4054);

        // When
        var questionBack = RoundTrip(question);
        var answerBack = RoundTrip(answer);

        // Then
        Assert.IsType<InferenceSerializer>(SerializerFor(answer));
        Assert.IsType<GetFrameChannel>(questionBack);
        Assert.Equal(answer, answerBack);
    }

    [Fact]
    public void Should_answer_garbage_with_a_problem_and_never_an_exception_when_the_frame_port_reads_an_answer_or_a_header()
    {
        // Given: what a broken or hostile peer could send
        var random = new Random(11);
        var buffers = Enumerable.Range(0, 5000).Select(i =>
        {
            var bytes = new byte[i % 200];
            random.NextBytes(bytes);
            return bytes;
        }).ToList();

        // When
        var results = buffers.Select(b => FrameWire.ReadResult(b)).ToList();
        var headers = buffers.Where(b => b.Length >= FrameWire.FrameHeaderBytes).Select(b => FrameWire.ReadFrameHeader(b)).ToList();

        // Then: every answer is either read or refused with a sentence; no accepted header claims more than it may
        Assert.All(results, r => Assert.True(r.Result is not null ^ r.Problem is not null));
        Assert.Contains(results, r => r.Problem is not null);
        Assert.All(headers.Where(h => h.Problem is null), h =>
        {
            Assert.InRange(h.Header.Length, 0, FrameWire.MaxFrameBytes);
            Assert.InRange(h.Header.MiddleLength, 0, h.Header.Length);
        });
        Assert.Contains(headers, h => h.Problem is not null);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"Enabled\": tru")]
    [InlineData("[1, 2, 3]")]
    [InlineData("null")]
    public void Should_refuse_with_a_serialization_error_when_a_status_is_not_its_json(string garbage)
    {
        // Given
        var serializer = (SerializerWithStringManifest)SerializerFor(InferenceStatus.Disabled);

        // When
        var error = Record.Exception(() => serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(garbage), serializer.Manifest(InferenceStatus.Disabled)));

        // Then
        Assert.IsType<System.Runtime.Serialization.SerializationException>(error);
    }
}
