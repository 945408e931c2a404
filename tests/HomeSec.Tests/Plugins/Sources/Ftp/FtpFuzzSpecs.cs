using HomeSec.TestSupport.Ftp;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace HomeSec.Tests.Plugins.Sources.Ftp;

/// <summary>A bounded, seeded fuzzer: random and mutated command lines, then the camera must still log in and upload.</summary>
public sealed class FtpFuzzSpecs : IDisposable
{
    private const int Seed = 20_261_202;
    private const int Lines = 3000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    private static readonly string[] Seeds =
    [
        "USER cam", "PASS x", "PASS " + FtpSourceRun.Password, "SYST", "FEAT", "OPTS UTF8 ON", "TYPE I", "TYPE A", "MODE S", "STRU F", "PWD",
        "CWD /", "CWD ..", "CDUP", "MKD fuzz", "RMD fuzz", "PASV", "EPSV", "PORT 127,0,0,1,4,1", "EPRT |1|127.0.0.1|1025|", "SIZE x.mp4",
        "MDTM x.mp4", "DELE x.mp4", "LIST -la", "NLST", "RETR x.mp4", "STOR x.mp4", "APPE x.mp4", "ALLO 10", "ABOR", "NOOP", "REST 100",
        "CWD /laboratory", "STOR ../../etc/x.mp4", "RETR /../../etc/passwd", "MKD .partial", "LIST .homesec", "AUTH TLS",
    ];

    private readonly TempDirectory _temp = new();

    private string Root => _temp.Combine("gate");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Should_still_take_a_normal_login_and_upload_when_fuzzed_command_lines_came_first()
    {
        // Given (no ban and no delay, so the fuzzer's wrong passwords do not lock the camera's address out)
        var options = FtpSourceRun.OptionsFor(Root) with
        {
            BanAfterFailures = 0, LoginFailureDelay = TimeSpan.Zero, LoginFailureDelayMax = TimeSpan.Zero, IdleTimeout = TimeSpan.FromMilliseconds(500),
        };
        await using var run = await FtpSourceRun.StartAsync(options);
        var random = new Random(Seed);
        var watch = Stopwatch.StartNew();

        // When
        RawFtpClient? client = null;
        for (var i = 0; i < Lines && watch.Elapsed < Budget; i++)
        {
            client ??= await ConnectAsync(run, loginFirst: random.Next(2) == 0);
            try
            {
                await client.SendRawAsync(NextLine(random));
                if (await client.ReadReplyAsync(TimeSpan.FromSeconds(1)) is null)
                {
                    await client.DisposeAsync();
                    client = null;
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // the server closed on us (QUIT, too many failures, a reset): start a new connection
                if (client is not null)
                {
                    await client.DisposeAsync();
                }

                client = null;
            }
        }

        if (client is not null)
        {
            await client.DisposeAsync();
        }

        var upload = await run.UploadAsync("after-fuzz.mp4", await Ffmpeg.SmallClipBytesAsync());

        // Then
        Assert.StartsWith("226", upload, StringComparison.Ordinal);
        Assert.Contains(run.Clips, c => c.LocalPath == Path.Combine(Root, "after-fuzz.mp4"));
        Assert.Null(run.Failure);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_temp.Path), p => p != Root);
    }

    private static async Task<RawFtpClient> ConnectAsync(FtpSourceRun run, bool loginFirst)
    {
        var client = await RawFtpClient.ConnectAsync(run.Options.Port);
        await client.ReadReplyAsync();
        if (loginFirst)
        {
            await client.LoginAsync();
        }

        return client;
    }

    /// <summary>A seed command mutated (bytes flipped, inserted, cut, Telnet IAC, NUL, overlong) or plain random bytes, ending in CRLF.</summary>
    private static byte[] NextLine(Random random)
    {
        var line = new List<byte>(Encoding.UTF8.GetBytes(Seeds[random.Next(Seeds.Length)]));
        switch (random.Next(6))
        {
            case 0:
                line = [.. Enumerable.Range(0, random.Next(1, 200)).Select(_ => (byte)random.Next(256)).Where(b => b != '\n')];
                break;
            case 1:
                for (var n = random.Next(1, 4); n > 0 && line.Count > 0; n--)
                {
                    line[random.Next(line.Count)] = (byte)random.Next(256);
                }

                break;
            case 2:
                line.InsertRange(random.Next(line.Count + 1), [0xFF, (byte)random.Next(0xF0, 0x100)]);
                break;
            case 3:
                line.AddRange(Encoding.ASCII.GetBytes(" " + new string('A', random.Next(100, 6000))));
                break;
            case 4:
                line.Insert(random.Next(line.Count + 1), 0);
                break;
        }

        return [.. line.Where(b => b != '\n'), (byte)'\r', (byte)'\n'];
    }
}
