using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using HomeSec.Actors.Inference;
using HomeSec.Core.Inference;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Actors.Serialization;

/// <summary>
/// Frames and detections between nodes as compact little-endian binary: a frame is its RGB24 bytes (a quarter of the
/// float tensor the model takes, and no JSON or base64 around it) less its letterbox: the uniform runs at its start and
/// end (the grey bars above and below a 16:9 picture in a square input, 44% of a 640×640 frame) travel as a count and a
/// byte value, and the receiver puts them back. Lossless whatever the frame holds. A reply is 24 bytes per box. Akka's
/// default serializer would write JSON with .NET type names and a base64 frame, a third larger and far slower.
/// </summary>
public sealed class InferenceSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 4102;

    /// <summary>Request id, minimum confidence, frame length, leading run (count, byte), trailing run (count, byte).</summary>
    public const int DetectHeaderBytes = 8 + 4 + 4 + 5 + 5;

    /// <summary>No frame a model takes comes near this (a 1920×1920 RGB24 input is 11 MB); a larger length is a bad message, not a frame to allocate.</summary>
    private const int MaxFrameBytes = 64 * 1024 * 1024;

    private const int DetectionBytes = 4 + 5 * 4;

    /// <summary>Frames with their letterbox runs elided.</summary>
    private const string DetectManifest = "f";

    /// <summary>Whole frames with a 16-byte header, as the first cluster release wrote them: still read, so a node one release behind is understood.</summary>
    private const string WholeFrameManifest = "d";
    private const int WholeFrameHeaderBytes = 8 + 4 + 4;
    private const string ResultManifest = "r";

    /// <summary>The pool's status, asked by <c>inspect inference</c> on the NVR: rare and small, so JSON.</summary>
    private const string StatusQueryManifest = "q";
    private const string StatusManifest = "s";
    private const byte HasDetections = 1;
    private const byte HasError = 2;

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        Detect => DetectManifest,
        DetectResult => ResultManifest,
        GetInferenceStatus => StatusQueryManifest,
        InferenceStatus => StatusManifest,
        _ => throw new ArgumentException($"{o.GetType()} is not an inference message", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        Detect detect => ToBinary(detect),
        DetectResult result => ToBinary(result),
        GetInferenceStatus => [],
        InferenceStatus status => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(status),
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
        var (lead, trail) = Runs(frame);
        return DetectHeaderBytes + frame.Length - lead - trail;
    }

    /// <summary>The uniform runs at the start and the end of the frame (vectorised scans: a fraction of the copy they save).</summary>
    private static (int Lead, int Trail) Runs(ReadOnlySpan<byte> frame)
    {
        if (frame.IsEmpty)
        {
            return (0, 0);
        }

        var firstOther = frame.IndexOfAnyExcept(frame[0]);
        if (firstOther < 0)
        {
            return (frame.Length, 0);
        }

        var lastOther = frame.LastIndexOfAnyExcept(frame[^1]);
        return (firstOther, frame.Length - 1 - lastOther);
    }

    private static byte[] ToBinary(Detect detect)
    {
        var frame = detect.Frame.AsSpan();
        var (lead, trail) = Runs(frame);
        var middle = frame[lead..(frame.Length - trail)];
        var bytes = new byte[DetectHeaderBytes + middle.Length];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(span, detect.RequestId);
        BinaryPrimitives.WriteSingleLittleEndian(span[8..], detect.MinConfidence);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], frame.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], lead);
        span[20] = lead > 0 ? frame[0] : (byte)0;
        BinaryPrimitives.WriteInt32LittleEndian(span[21..], trail);
        span[25] = trail > 0 ? frame[^1] : (byte)0;
        middle.CopyTo(span[DetectHeaderBytes..]);
        return bytes;
    }

    private static Detect DetectFrom(byte[] bytes)
    {
        var span = bytes.AsSpan();
        var length = BinaryPrimitives.ReadInt32LittleEndian(span[12..]);
        var lead = BinaryPrimitives.ReadInt32LittleEndian(span[16..]);
        var trail = BinaryPrimitives.ReadInt32LittleEndian(span[21..]);
        var middle = bytes.Length - DetectHeaderBytes;
        if (length is < 0 or > MaxFrameBytes || lead < 0 || trail < 0 || middle < 0 || (long)lead + trail + middle != length)
        {
            throw new SerializationException($"a frame of {length} bytes does not match its runs ({lead} + {trail}) and a message of {bytes.Length} bytes");
        }

        var frame = GC.AllocateUninitializedArray<byte>(length);
        frame.AsSpan(0, lead).Fill(span[20]);
        span[DetectHeaderBytes..].CopyTo(frame.AsSpan(lead));
        frame.AsSpan(length - trail).Fill(span[25]);
        return new Detect(BinaryPrimitives.ReadInt64LittleEndian(span), frame, BinaryPrimitives.ReadSingleLittleEndian(span[8..]));
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

    private static byte[] ToBinary(DetectResult result)
    {
        var error = result.Error is { } text ? Encoding.UTF8.GetBytes(text) : [];
        var detections = result.Detections ?? [];
        var flags = (byte)((result.Detections is null ? 0 : HasDetections) | (result.Error is null ? 0 : HasError));
        var bytes = new byte[8 + 1 + 4 + detections.Count * DetectionBytes + 4 + error.Length];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(span, result.RequestId);
        span[8] = flags;
        BinaryPrimitives.WriteInt32LittleEndian(span[9..], detections.Count);
        var at = 13;
        foreach (var d in detections)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], d.ClassId);
            BinaryPrimitives.WriteSingleLittleEndian(span[(at + 4)..], d.Confidence);
            BinaryPrimitives.WriteSingleLittleEndian(span[(at + 8)..], d.X1);
            BinaryPrimitives.WriteSingleLittleEndian(span[(at + 12)..], d.Y1);
            BinaryPrimitives.WriteSingleLittleEndian(span[(at + 16)..], d.X2);
            BinaryPrimitives.WriteSingleLittleEndian(span[(at + 20)..], d.Y2);
            at += DetectionBytes;
        }

        BinaryPrimitives.WriteInt32LittleEndian(span[at..], error.Length);
        error.CopyTo(span[(at + 4)..]);
        return bytes;
    }

    private static DetectResult ResultFrom(byte[] bytes)
    {
        var span = bytes.AsSpan();
        var id = BinaryPrimitives.ReadInt64LittleEndian(span);
        var flags = span[8];
        var count = BinaryPrimitives.ReadInt32LittleEndian(span[9..]);
        if (count < 0 || 13 + (long)count * DetectionBytes + 4 > bytes.Length)
        {
            throw new SerializationException($"{count} detections do not fit a message of {bytes.Length} bytes");
        }

        var detections = new Detection[count];
        var at = 13;
        for (var i = 0; i < count; i++, at += DetectionBytes)
        {
            detections[i] = new Detection(
                BinaryPrimitives.ReadInt32LittleEndian(span[at..]),
                BinaryPrimitives.ReadSingleLittleEndian(span[(at + 4)..]),
                BinaryPrimitives.ReadSingleLittleEndian(span[(at + 8)..]),
                BinaryPrimitives.ReadSingleLittleEndian(span[(at + 12)..]),
                BinaryPrimitives.ReadSingleLittleEndian(span[(at + 16)..]),
                BinaryPrimitives.ReadSingleLittleEndian(span[(at + 20)..]));
        }

        var errorLength = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
        var error = (flags & HasError) != 0 ? Encoding.UTF8.GetString(span.Slice(at + 4, errorLength)) : null;
        return new DetectResult(id, (flags & HasDetections) != 0 ? detections : null, error);
    }
}
