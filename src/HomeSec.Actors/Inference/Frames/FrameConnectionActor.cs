using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using HomeSec.Actors.Serialization;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Actors.Inference.Frames;

/// <summary>
/// One NVR's connection to the frame port. Handshaking: TLS with the household certificate (when there is one) and the
/// hello, within <see cref="HandshakeTimeout"/>; anything else is logged and closed. Serving: a read loop turns each
/// frame into a <see cref="Detect"/> for the pool with this actor as the sender, and each answer goes back through a
/// write loop. The picture is read straight into a frame array from a small per-connection stock, returned when the
/// frame is answered; at most <see cref="MaxInFlight"/> frames are read ahead of their answers (the NVR waits on TCP,
/// memory stays bounded). A malformed frame closes the connection: the NVR sends what it had in flight elsewhere.
/// </summary>
public sealed class FrameConnectionActor : ReceiveActor
{
    private const int MaxInFlight = 32;
    private const int KeptFrames = 8;
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly IActorRef _pool;
    private readonly X509Certificate2? _household;
    private readonly int _maxFrameBytes;
    private readonly string _peer;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _closing = new();
    private readonly Channel<byte[]> _answers = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, byte[]> _lent = new();
    private readonly ConcurrentBag<byte[]> _stock = [];
    private readonly SemaphoreSlim _slots = new(MaxInFlight, MaxInFlight);
    private Stream? _stream;

    public FrameConnectionActor(Socket socket, IActorRef pool, X509Certificate2? household, int maxFrameBytes)
    {
        _socket = socket;
        _pool = pool;
        _household = household;
        _maxFrameBytes = maxFrameBytes;
        _peer = socket.RemoteEndPoint?.ToString() ?? "?";
        Become(Handshaking);
    }

    public static Props Props(Socket socket, IActorRef pool, X509Certificate2? household, int maxFrameBytes) =>
        Akka.Actor.Props.Create(() => new FrameConnectionActor(socket, pool, household, maxFrameBytes));

    protected override void PreStart()
    {
        _socket.NoDelay = true;
        _socket.SendBufferSize = 64 * 1024;
        HandshakeAsync(_socket, _household, _closing.Token).PipeTo(Self, success: outcome => outcome, failure: ex => new HandshakeFailed(ex.Message));
    }

    protected override void PostStop()
    {
        _closing.Cancel();
        _answers.Writer.TryComplete();
        _stream?.Dispose();
        _socket.Dispose();
        base.PostStop();
    }

    private void Handshaking()
    {
        Receive<HandshakeDone>(done =>
        {
            _stream = done.Stream;
            _log.Info("frames: {0} connected", _peer);
            Become(Serving);
            var self = Self;
            ReadLoopAsync(done.Stream, self).PipeTo(self, success: closed => closed, failure: ex => new Closed(ex.Message));
            WriteLoopAsync(done.Stream).PipeTo(self, success: closed => closed, failure: ex => new Closed(ex.Message));
        });
        Receive<HandshakeFailed>(failed =>
        {
            _log.Warning("frames: refused a connection from {0}: {1}", _peer, failed.Reason);
            Context.Stop(Self);
        });
    }

    private void Serving()
    {
        Receive<DetectResult>(result =>
        {
            // The frame is done with (the pool answers after its run): back to the stock for the next one.
            if (_lent.TryRemove(result.RequestId, out var frame))
            {
                if (_stock.Count < KeptFrames)
                {
                    _stock.Add(frame);
                }

                _slots.Release();
            }

            var bytes = new byte[4 + FrameWire.ResultBytes(result)];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, bytes.Length - 4);
            FrameWire.WriteResult(result, bytes.AsSpan(4));
            _answers.Writer.TryWrite(bytes);
        });
        Receive<Closed>(closed =>
        {
            if (closed.Problem is { } problem)
            {
                _log.Warning("frames: closed the connection from {0}: {1}", _peer, problem);
            }
            else
            {
                _log.Info("frames: {0} disconnected", _peer);
            }

            Context.Stop(Self);
        });
    }

    private static async Task<object> HandshakeAsync(Socket socket, X509Certificate2? household, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(HandshakeTimeout);
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        string? refusal = null;
        try
        {
            if (household is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsServerAsync(FrameTls.Server(household, why => refusal = why), deadline.Token);
            }

            var hello = new byte[FrameWire.Hello.Length];
            await stream.ReadExactlyAsync(hello, deadline.Token);
            if (!hello.AsSpan().SequenceEqual(FrameWire.Hello))
            {
                await stream.DisposeAsync();
                return new HandshakeFailed("it did not begin with the HomeSec frames hello");
            }

            await stream.WriteAsync(FrameWire.Hello.ToArray(), deadline.Token);
            return new HandshakeDone(stream);
        }
        catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException or OperationCanceledException)
        {
            await stream.DisposeAsync();
            return new HandshakeFailed(ex switch
            {
                AuthenticationException => $"it does not hold the household certificate ({refusal ?? ex.Message.TrimEnd('.')})",
                OperationCanceledException => $"no handshake within {HandshakeTimeout.TotalSeconds:0} s",
                EndOfStreamException => "it closed the connection during the handshake",
                _ => ex.Message.TrimEnd('.'),
            });
        }
    }

    /// <summary>Frames until the NVR closes the connection (null problem) or sends something that is not a frame.</summary>
    private async Task<Closed> ReadLoopAsync(Stream stream, IActorRef self)
    {
        var headerBytes = new byte[FrameWire.FrameHeaderBytes];
        try
        {
            while (true)
            {
                await _slots.WaitAsync(_closing.Token);
                await stream.ReadExactlyAsync(headerBytes, _closing.Token);
                var (header, problem) = FrameWire.ReadFrameHeader(headerBytes);
                if (problem is not null)
                {
                    return new Closed(problem);
                }

                if (header.Length > _maxFrameBytes)
                {
                    return new Closed($"a frame of {header.Length} bytes is larger than this node's model input ({_maxFrameBytes} bytes): do both nodes run the same model?");
                }

                var frame = Rent(header.Length);
                if (!_lent.TryAdd(header.RequestId, frame))
                {
                    return new Closed($"frame {header.RequestId} was sent twice before it was answered");
                }

                await stream.ReadExactlyAsync(frame.AsMemory(header.Lead, header.MiddleLength), _closing.Token);
                FrameWire.FillRuns(header, frame);
                _pool.Tell(new Detect(header.RequestId, frame, header.MinConfidence), self);
            }
        }
        catch (EndOfStreamException)
        {
            return new Closed(null);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return new Closed(_closing.IsCancellationRequested ? null : ex.Message.TrimEnd('.'));
        }
    }

    private async Task<Closed> WriteLoopAsync(Stream stream)
    {
        try
        {
            var reader = _answers.Reader;
            while (await reader.WaitToReadAsync(_closing.Token))
            {
                while (reader.TryRead(out var answer))
                {
                    await stream.WriteAsync(answer, _closing.Token);
                }
            }

            return new Closed(null);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return new Closed(_closing.IsCancellationRequested ? null : ex.Message.TrimEnd('.'));
        }
    }

    private byte[] Rent(int length)
    {
        while (_stock.TryTake(out var kept))
        {
            if (kept.Length == length)
            {
                return kept;
            }
        }

        return GC.AllocateUninitializedArray<byte>(length);
    }

    private sealed record HandshakeDone(Stream Stream);

    private sealed record HandshakeFailed(string Reason);

    /// <param name="Problem">Null: the peer closed the connection the ordinary way.</param>
    private sealed record Closed(string? Problem);
}
