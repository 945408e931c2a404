using System.Buffers.Binary;
using System.Text;
using HomeSec.Core.Inference;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Actors.Serialization;

/// <summary>
/// How a frame and its answer are written, on remoting (<see cref="InferenceSerializer"/>) and on the frame port alike.
/// A frame is a 26-byte header and the RGB24 bytes between its letterbox runs: the uniform runs at its start and end
/// (the grey bars above and below a 16:9 picture in a square input, 44% of a 640×640 frame) travel as a count and a byte
/// value, and the receiver puts them back. Lossless whatever the frame holds. An answer is 24 bytes per box.
/// </summary>
public static class FrameWire
{
    /// <summary>Request id, minimum confidence, frame length, leading run (count, byte), trailing run (count, byte).</summary>
    public const int FrameHeaderBytes = 8 + 4 + 4 + 5 + 5;

    /// <summary>No frame a model takes comes near this (a 1920×1920 RGB24 input is 11 MB); a larger length is a bad message, not a frame to allocate.</summary>
    public const int MaxFrameBytes = 64 * 1024 * 1024;

    /// <summary>An answer with this many bytes would hold thousands of boxes or a novel of an error: a bad message.</summary>
    public const int MaxResultBytes = 1024 * 1024;

    /// <summary>
    /// The first bytes each side of a frame-port connection sends (after TLS, when there is TLS): a port scanner, a
    /// browser or another program gets nothing but a closed connection, and a future change of this wire gets a new one.
    /// </summary>
    public static ReadOnlySpan<byte> Hello => "HomeSec frames 1\n"u8;

    /// <summary>The frame port's socket buffers: a 640×640 frame and change, so one frame is handed to the kernel in one go.</summary>
    public const int SocketBufferBytes = 2 * 1024 * 1024;

    private const int DetectionBytes = 4 + 5 * 4;
    private const byte HasDetections = 1;
    private const byte HasError = 2;

    /// <summary>What one frame's header says: where the picture lies in the frame and what surrounds it.</summary>
    public readonly record struct FrameHeader(long RequestId, float MinConfidence, int Length, int Lead, byte LeadValue, int Trail, byte TrailValue)
    {
        /// <summary>The bytes that follow the header on the wire.</summary>
        public int MiddleLength => Length - Lead - Trail;
    }

    /// <summary>The uniform runs at the start and the end of the frame (vectorised scans: a fraction of the copy they save).</summary>
    public static (int Lead, int Trail) Runs(ReadOnlySpan<byte> frame)
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

    /// <summary>Writes the header of <paramref name="frame"/> and says which of its bytes follow it.</summary>
    public static (int Start, int Length) WriteFrameHeader(Span<byte> header, long requestId, float minConfidence, ReadOnlySpan<byte> frame)
    {
        var (lead, trail) = Runs(frame);
        BinaryPrimitives.WriteInt64LittleEndian(header, requestId);
        BinaryPrimitives.WriteSingleLittleEndian(header[8..], minConfidence);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], frame.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], lead);
        header[20] = lead > 0 ? frame[0] : (byte)0;
        BinaryPrimitives.WriteInt32LittleEndian(header[21..], trail);
        header[25] = trail > 0 ? frame[^1] : (byte)0;
        return (lead, frame.Length - lead - trail);
    }

    /// <summary>The header, or why it is not one (a length beyond <see cref="MaxFrameBytes"/>, runs that do not fit it).</summary>
    public static (FrameHeader Header, string? Problem) ReadFrameHeader(ReadOnlySpan<byte> header)
    {
        var parsed = new FrameHeader(
            BinaryPrimitives.ReadInt64LittleEndian(header),
            BinaryPrimitives.ReadSingleLittleEndian(header[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(header[12..]),
            BinaryPrimitives.ReadInt32LittleEndian(header[16..]),
            header[20],
            BinaryPrimitives.ReadInt32LittleEndian(header[21..]),
            header[25]);
        if (parsed.Length is < 0 or > MaxFrameBytes || parsed.Lead < 0 || parsed.Trail < 0 || (long)parsed.Lead + parsed.Trail > parsed.Length)
        {
            return (parsed, $"a frame of {parsed.Length} bytes does not fit its runs ({parsed.Lead} + {parsed.Trail}; at most {MaxFrameBytes} bytes)");
        }

        return (parsed, null);
    }

    /// <summary>Puts the runs back around the picture, which the caller has already written at <c>frame[Lead..]</c>.</summary>
    public static void FillRuns(FrameHeader header, Span<byte> frame)
    {
        frame[..header.Lead].Fill(header.LeadValue);
        frame[(header.Length - header.Trail)..header.Length].Fill(header.TrailValue);
    }

    public static int ResultBytes(DetectResult result) =>
        8 + 1 + 4 + (result.Detections?.Count ?? 0) * DetectionBytes + 4 + (result.Error is { } error ? Encoding.UTF8.GetByteCount(error) : 0);

    /// <summary>Writes the answer into <paramref name="span"/>, which holds <see cref="ResultBytes"/> bytes.</summary>
    public static void WriteResult(DetectResult result, Span<byte> span)
    {
        var detections = result.Detections ?? [];
        BinaryPrimitives.WriteInt64LittleEndian(span, result.RequestId);
        span[8] = (byte)((result.Detections is null ? 0 : HasDetections) | (result.Error is null ? 0 : HasError));
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

        var error = span[(at + 4)..];
        var errorLength = result.Error is { } text ? Encoding.UTF8.GetBytes(text, error) : 0;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], errorLength);
    }

    /// <summary>The answer, or why the bytes are not one; never throws on what a peer sent.</summary>
    public static (DetectResult? Result, string? Problem) ReadResult(ReadOnlySpan<byte> span)
    {
        if (span.Length < 13)
        {
            return (null, $"an answer of {span.Length} bytes is shorter than its header");
        }

        var id = BinaryPrimitives.ReadInt64LittleEndian(span);
        var flags = span[8];
        var count = BinaryPrimitives.ReadInt32LittleEndian(span[9..]);
        if (count < 0 || 13 + (long)count * DetectionBytes + 4 > span.Length)
        {
            return (null, $"{count} detections do not fit an answer of {span.Length} bytes");
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
        if (errorLength < 0 || (long)at + 4 + errorLength > span.Length)
        {
            return (null, $"an error of {errorLength} bytes does not fit an answer of {span.Length} bytes");
        }

        var error = (flags & HasError) != 0 ? Encoding.UTF8.GetString(span.Slice(at + 4, errorLength)) : null;
        return (new DetectResult(id, (flags & HasDetections) != 0 ? detections : null, error), null);
    }
}
