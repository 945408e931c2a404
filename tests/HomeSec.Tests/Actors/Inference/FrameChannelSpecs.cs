using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using HomeSec.Actors.Inference.Frames;
using HomeSec.Actors.Serialization;
using HomeSec.Core.Config;
using HomeSec.Core.Inference;
using Xunit;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Tests.Actors.Inference;

/// <summary>
/// The frame port on real sockets on loopback: an inference node's <c>/user/frame-channel</c> (its pool a probe) and the
/// NVR's <see cref="FrameLink"/>. Frames arrive whole and answers go back; a dead node closes the link at once; a peer
/// that does not speak the protocol, claims an oversized frame or lacks the household certificate is refused and logged.
/// </summary>
public sealed class FrameChannelSpecs : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private const int FrameBytes = 64 * 64 * 3;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly string _folder = Directory.CreateTempSubdirectory("homesec-frames-").FullName;

    [Fact]
    public async Task Should_hand_the_pool_every_byte_of_a_letterboxed_frame_and_pass_its_answer_back_when_a_frame_comes_through_the_port()
    {
        // Given
        var pool = CreateTestProbe();
        var port = StartChannel(pool, tls: null);
        await using var link = await ConnectAsync(port, household: null);
        var frame = LetterboxedFrame();

        // When
        Assert.True(link.Send(7, frame, 0.4f));
        var detect = pool.ExpectMsg<Detect>(Patience);
        pool.Reply(new DetectResult(detect.RequestId, [new Detection(0, 0.9f, 1, 2, 3, 4)], null));

        // Then
        Assert.Equal(7, detect.RequestId);
        Assert.Equal(0.4f, detect.MinConfidence);
        Assert.Equal(frame, detect.Frame);
        var result = ExpectMsg<DetectResult>(Patience);
        Assert.Equal(7, result.RequestId);
        Assert.Equal([new Detection(0, 0.9f, 1, 2, 3, 4)], result.Detections);
    }

    [Fact]
    public async Task Should_close_the_link_at_once_and_refuse_further_frames_when_the_node_goes_away()
    {
        // Given
        var pool = CreateTestProbe();
        var channel = Sys.ActorOf(FrameChannelActor.Props(new FrameChannelSettings("127.0.0.1", 0, null, FrameBytes), pool.Ref));
        var port = PortOf(channel);
        await using var link = await ConnectAsync(port, household: null);
        Assert.True(link.Send(1, LetterboxedFrame(), 0.5f));
        pool.ExpectMsg<Detect>(Patience);

        // When: the node's frame port goes away with a frame unanswered
        Sys.Stop(channel);

        // Then
        var reason = ExpectMsg<string>(Patience);
        Assert.Contains("127.0.0.1", reason, StringComparison.Ordinal);
        AwaitCondition(() => !link.Send(2, LetterboxedFrame(), 0.5f), Patience);
    }

    [Fact]
    public async Task Should_close_and_log_a_connection_that_does_not_begin_with_the_hello_and_go_on_serving_the_nvr()
    {
        // Given
        var pool = CreateTestProbe();
        var port = StartChannel(pool, tls: null);

        // When: a browser or a scanner
        using var stranger = new TcpClient();
        await EventFilter.Warning(contains: "did not begin with the HomeSec frames hello").ExpectOneAsync(async () =>
        {
            await stranger.ConnectAsync("127.0.0.1", port);
            await stranger.GetStream().WriteAsync("GET / HTTP/1.1\r\nHost: nvr\r\n\r\n"u8.ToArray());
        });
        var closed = await ClosedAsync(stranger.GetStream());
        await using var link = await ConnectAsync(port, household: null);
        link.Send(3, LetterboxedFrame(), 0.5f);

        // Then
        Assert.True(closed, "the stranger's connection was closed");
        Assert.Equal(3, pool.ExpectMsg<Detect>(Patience).RequestId);
    }

    [Fact]
    public async Task Should_close_a_connection_whose_frame_claims_more_than_the_model_takes_instead_of_allocating_it()
    {
        // Given
        var pool = CreateTestProbe();
        var port = StartChannel(pool, tls: null);
        using var peer = new TcpClient();
        await peer.ConnectAsync("127.0.0.1", port);
        var stream = peer.GetStream();
        await stream.WriteAsync(FrameWire.Hello.ToArray());
        await stream.ReadExactlyAsync(new byte[FrameWire.Hello.Length]);
        var header = new byte[FrameWire.FrameHeaderBytes];
        BinaryPrimitives.WriteInt64LittleEndian(header, 1);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), 60 * 1024 * 1024);

        // When
        await EventFilter.Warning(contains: "larger than this node's model input").ExpectOneAsync(async () => await stream.WriteAsync(header));

        // Then
        Assert.True(await ClosedAsync(stream), "the connection was closed");
        pool.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Should_take_frames_from_a_node_holding_the_household_certificate_and_refuse_and_log_one_holding_another()
    {
        // Given
        var household = Certificate("household");
        var foreign = Certificate("foreign");
        var pool = CreateTestProbe();
        var port = StartChannel(pool, tls: new ClusterTls(household, null));
        using var householdCertificate = X509CertificateLoader.LoadPkcs12FromFile(household, null);
        using var foreignCertificate = X509CertificateLoader.LoadPkcs12FromFile(foreign, null);

        // When
        await using var trusted = await ConnectAsync(port, householdCertificate);
        trusted.Send(5, LetterboxedFrame(), 0.5f);
        (FrameLink? Link, string? Problem) refused = default;
        await EventFilter.Warning(contains: "does not hold the household certificate").ExpectOneAsync(async () =>
            refused = await FrameLink.ConnectAsync("127.0.0.1", port, foreignCertificate, _ => { }, _ => { }, Patience, CancellationToken.None));

        // Then
        Assert.Equal(5, pool.ExpectMsg<Detect>(Patience).RequestId);
        Assert.Null(refused.Link);
        Assert.NotNull(refused.Problem);
        pool.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    public new void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        base.Dispose();
    }

    private int StartChannel(Akka.TestKit.TestProbe pool, ClusterTls? tls) =>
        PortOf(Sys.ActorOf(FrameChannelActor.Props(new FrameChannelSettings("127.0.0.1", 0, tls, FrameBytes), pool.Ref)));

    private int PortOf(IActorRef channel)
    {
        var port = 0;
        AwaitAssert(() =>
        {
            channel.Tell(GetFrameChannel.Instance, TestActor);
            port = ExpectMsg<FrameChannelAt>(TimeSpan.FromMilliseconds(500)).Port;
        }, Patience);
        return port;
    }

    /// <summary>A link whose answers and closing reason come to the test actor.</summary>
    private async Task<FrameLink> ConnectAsync(int port, X509Certificate2? household)
    {
        var testActor = TestActor;
        var (link, problem) = await FrameLink.ConnectAsync("127.0.0.1", port, household, result => testActor.Tell(result), reason => testActor.Tell(reason),
            Patience, CancellationToken.None);
        return link ?? throw new InvalidOperationException(problem);
    }

    /// <summary>The other end closed it: an end of stream, or a reset when it closed with our bytes unread.</summary>
    private static async Task<bool> ClosedAsync(NetworkStream stream)
    {
        try
        {
            return await stream.ReadAsync(new byte[64]).AsTask().WaitAsync(Patience) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private string Certificate(string name)
    {
        var path = Path.Combine(_folder, name + ".pfx");
        File.WriteAllBytes(path, ClusterTls.CreateHouseholdCertificate(null, DateTimeOffset.UtcNow));
        return path;
    }

    /// <summary>Noise between grey bars at the top and the bottom, as the filter letterboxes a 16:9 picture.</summary>
    private static byte[] LetterboxedFrame()
    {
        var frame = new byte[FrameBytes];
        Array.Fill(frame, (byte)114);
        new Random(3).NextBytes(frame.AsSpan(64 * 3 * 14, 64 * 3 * 36));
        return frame;
    }
}
