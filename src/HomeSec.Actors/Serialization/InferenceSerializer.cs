using System.Buffers.Binary;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using HomeSec.Actors.Inference;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Actors.Serialization;

/// <summary>
/// Frames and detections between nodes over remoting as compact little-endian binary (<see cref="FrameWire"/>): a frame
/// is its RGB24 bytes (a quarter of the float tensor the model takes, and no JSON or base64 around it) less its
/// letterbox; a reply is 24 bytes per box. Frames go this way only to a node whose frame port cannot be reached. Akka's
/// default serializer would write JSON with .NET type names and a base64 frame, a third larger and far slower.
/// </summary>
public sealed class InferenceSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 4102;

    /// <summary>See <see cref="FrameWire.FrameHeaderBytes"/>.</summary>
    public const int DetectHeaderBytes = FrameWire.FrameHeaderBytes;

    /// <summary>Frames with their letterbox runs elided.</summary>
    private const string DetectManifest = "f";

    /// <summary>Whole frames with a 16-byte header, as the first cluster release wrote them: still read, so a node one release behind is understood.</summary>
    private const string WholeFrameManifest = "d";
    private const int WholeFrameHeaderBytes = 8 + 4 + 4;
    private const string ResultManifest = "r";

    /// <summary>The pool's status, asked by <c>inspect inference</c> on the NVR: rare and small, so JSON.</summary>
    private const string StatusQueryManifest = "q";
    private const string StatusManifest = "s";
    private const string FrameChannelQueryManifest = "g";
    private const string FrameChannelManifest = "p";

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        Detect => DetectManifest,
        DetectResult => ResultManifest,
        GetInferenceStatus => StatusQueryManifest,
        InferenceStatus => StatusManifest,
        GetFrameChannel => FrameChannelQueryManifest,
        FrameChannelAt => FrameChannelManifest,
        _ => throw new ArgumentException($"{o.GetType()} is not an inference message", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        Detect detect => ToBinary(detect),
        DetectResult result => ToBinary(result),
        GetInferenceStatus => [],
        InferenceStatus status => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(status),
        GetFrameChannel => [],
        FrameChannelAt at => PortBytes(at.Port),
        _ => throw new ArgumentException($"{obj.GetType()} is not an inference message", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            return manifest switch
            {
                DetectManifest => DetectFrom(bytes),
                WholeFrameManifest => WholeFrameFrom(bytes),
                ResultManifest => ResultFrom(bytes),
                StatusQueryManifest => GetInferenceStatus.Instance,
                FrameChannelQueryManifest => GetFrameChannel.Instance,
                FrameChannelManifest => new FrameChannelAt(BinaryPrimitives.ReadInt32LittleEndian(bytes)),
                StatusManifest => System.Text.Json.JsonSerializer.Deserialize<InferenceStatus>(bytes)
                    ?? throw new SerializationException("an empty inference status"),
                _ => throw new SerializationException($"unknown inference manifest '{manifest}'"),
            };
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new SerializationException($"a truncated inference message ({bytes.Length} bytes, manifest '{manifest}')", ex);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new SerializationException($"an inference status that is not its JSON ({bytes.Length} bytes)", ex);
        }
    }

    /// <summary>What a frame costs on the wire (header included): for the benchmark's bytes-per-frame figure.</summary>
    public static int WireBytes(byte[] frame)
    {
        var (lead, trail) = FrameWire.Runs(frame);
        return DetectHeaderBytes + frame.Length - lead - trail;
    }

    private static byte[] ToBinary(Detect detect)
    {
        var frame = detect.Frame.AsSpan();
        var (lead, trail) = FrameWire.Runs(frame);
        var bytes = new byte[DetectHeaderBytes + frame.Length - lead - trail];
        var (start, length) = FrameWire.WriteFrameHeader(bytes, detect.RequestId, detect.MinConfidence, frame);
        frame.Slice(start, length).CopyTo(bytes.AsSpan(DetectHeaderBytes));
        return bytes;
    }

    private static Detect DetectFrom(byte[] bytes)
    {
        var (header, problem) = FrameWire.ReadFrameHeader(bytes);
        if (problem is not null || header.MiddleLength != bytes.Length - DetectHeaderBytes)
        {
            throw new SerializationException(problem ?? $"a frame of {header.Length} bytes does not match its runs ({header.Lead} + {header.Trail}) and a message of {bytes.Length} bytes");
        }

        var frame = GC.AllocateUninitializedArray<byte>(header.Length);
        bytes.AsSpan(DetectHeaderBytes).CopyTo(frame.AsSpan(header.Lead));
        FrameWire.FillRuns(header, frame);
        return new Detect(header.RequestId, frame, header.MinConfidence);
    }

    private static Detect WholeFrameFrom(byte[] bytes)
    {
        var span = bytes.AsSpan();
        var length = BinaryPrimitives.ReadInt32LittleEndian(span[12..]);
        if (length < 0 || length != bytes.Length - WholeFrameHeaderBytes)
        {
            throw new SerializationException($"a frame of {length} bytes in a message of {bytes.Length}");
        }

        return new Detect(BinaryPrimitives.ReadInt64LittleEndian(span), span[WholeFrameHeaderBytes..].ToArray(), BinaryPrimitives.ReadSingleLittleEndian(span[8..]));
    }

    private static byte[] PortBytes(int port)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, port);
        return bytes;
    }

    private static byte[] ToBinary(DetectResult result)
    {
        var bytes = new byte[FrameWire.ResultBytes(result)];
        FrameWire.WriteResult(result, bytes);
        return bytes;
    }

    private static DetectResult ResultFrom(byte[] bytes)
    {
        var (result, problem) = FrameWire.ReadResult(bytes);
        return result ?? throw new SerializationException(problem);
    }
}
