using System.Buffers.Binary;
using System.IO.Compression;
using HomeSec.Core.Media;
using Xunit;

namespace HomeSec.Tests.Web;

public sealed class GrayPngSpecs
{
    [Fact]
    public void Should_encode_a_gray_frame_as_a_png_whose_pixels_decode_back()
    {
        // Given a 7x3 gradient
        var gray = Enumerable.Range(0, 21).Select(i => (byte)(i * 12)).ToArray();

        // When
        var png = GrayPng.Encode(gray, 7, 3);

        // Then the signature, the header and the pixels are right
        Assert.Equal([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
        var chunks = Chunks(png);
        Assert.Equal(["IHDR", "IDAT", "IEND"], chunks.Select(c => c.Type));
        Assert.Equal(7, BinaryPrimitives.ReadInt32BigEndian(chunks[0].Data));
        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(chunks[0].Data.AsSpan(4)));
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream(chunks[1].Data), CompressionMode.Decompress))
        {
            zlib.CopyTo(inflated);
        }

        var rows = inflated.ToArray();
        Assert.Equal(3 * (1 + 7), rows.Length);
        Assert.Equal(gray, rows.Chunk(8).SelectMany(r => r[1..]).ToArray());
        Assert.All(rows.Chunk(8), r => Assert.Equal(0, r[0]));
    }

    [Fact]
    public void Should_carry_the_crc_every_png_reader_checks()
    {
        // Given
        var png = GrayPng.Encode(new byte[4], 2, 2);

        // When
        var header = Chunks(png)[0];

        // Then (zlib's crc32 of "IHDR" + data for a 2x2 8-bit gray image)
        Assert.Equal(0x57DD52F8u, header.Crc); // python3 -c "import zlib, struct; print(hex(zlib.crc32(b'IHDR' + struct.pack('>IIBBBBB', 2, 2, 8, 0, 0, 0, 0))))"
    }

    [Fact]
    public void Should_refuse_a_buffer_smaller_than_the_frame()
    {
        // Given / When / Then
        Assert.Throws<ArgumentException>(() => GrayPng.Encode(new byte[5], 3, 2));
    }

    private static List<(string Type, byte[] Data, uint Crc)> Chunks(byte[] png)
    {
        var chunks = new List<(string, byte[], uint)>();
        for (var at = 8; at < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            chunks.Add((type, png[(at + 8)..(at + 8 + length)], BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length))));
            at += 12 + length;
        }

        return chunks;
    }
}
