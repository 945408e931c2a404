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
    public void Should_carry_a_640_by_640_frame_as_its_bytes_plus_16_when_a_detect_request_is_serialized()
    {
        // Given
        var frame = new byte[640 * 640 * 3];
        new Random(7).NextBytes(frame);
        var request = new Detect(42, frame, 0.35f);

        // When
        var serializer = SerializerFor(request);
        var bytes = serializer.ToBinary(request);
        var back = RoundTrip(request);

        // Then
        Assert.IsType<InferenceSerializer>(serializer);
        Assert.Equal(640 * 640 * 3 + InferenceSerializer.DetectHeaderBytes, bytes.Length);
        Assert.True(bytes.Length < HomeSecClusterExtensions.MaxFrameBytes);
        Assert.Equal(42, back.RequestId);
        Assert.Equal(0.35f, back.MinConfidence);
        Assert.Equal(frame, back.Frame);
        output.WriteLine($"bytes per 640x640 frame on the wire (payload): {bytes.Length:N0}; as float32 it would be {640 * 640 * 3 * 4:N0}");
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
}
