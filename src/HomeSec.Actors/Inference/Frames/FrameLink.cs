using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using HomeSec.Actors.Serialization;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Actors.Inference.Frames;

/// <summary>
/// The NVR's end of one inference node's frame port: frames go out as they are sent (the header, then the picture
/// straight from the frame's own array: no serializer copy, no envelope), answers come back in any order and are handed
/// to <c>onResult</c>. When the connection ends for any reason (the node died, the network went, a bad answer) every
/// later <see cref="Send"/> returns false and <c>onClosed</c> is called once with the reason: what was in flight is the
/// caller's to send elsewhere. No Akka types: the router owns it and turns the callbacks into messages.
/// </summary>
public sealed class FrameLink : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly Stream _stream;
    private readonly Action<DetectResult> _onResult;
    private readonly Action<string> _onClosed;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closing = new();
    private int _closed;

    private FrameLink(TcpClient tcp, Stream stream, string endpoint, Action<DetectResult> onResult, Action<string> onClosed)
    {
        _tcp = tcp;
        _stream = stream;
        Endpoint = endpoint;
        _onResult = onResult;
        _onClosed = onClosed;
    }

    /// <summary>host:port, for logs and <c>/health</c>.</summary>
    public string Endpoint { get; }

    /// <summary>
    /// Connects, runs TLS with the household certificate when there is one (pinned both ways), and exchanges the hello;
    /// the link, or why there is none as a sentence.
    /// </summary>
    public static async Task<(FrameLink? Link, string? Problem)> ConnectAsync(
        string host, int port, X509Certificate2? household, Action<DetectResult> onResult, Action<string> onClosed, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var endpoint = $"{host}:{port}";
        var tcp = new TcpClient { NoDelay = true, SendBufferSize = FrameWire.SocketBufferBytes };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        string? refusal = null;
        try
        {
            await tcp.ConnectAsync(host, port, deadline.Token);
            Stream stream = tcp.GetStream();
            if (household is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(FrameTls.Client(household, why => refusal = why), deadline.Token);
            }

            await stream.WriteAsync(FrameWire.Hello.ToArray(), deadline.Token);
            var hello = new byte[FrameWire.Hello.Length];
            await stream.ReadExactlyAsync(hello, deadline.Token);
            if (!hello.AsSpan().SequenceEqual(FrameWire.Hello))
            {
                tcp.Dispose();
                return (null, $"{endpoint} is not a HomeSec frame port (it answered something else)");
            }

            var link = new FrameLink(tcp, stream, endpoint, onResult, onClosed);
            _ = link.WriteLoopAsync();
            _ = link.ReadLoopAsync();
            return (link, null);
        }
        catch (Exception ex) when (ex is SocketException or IOException or AuthenticationException or OperationCanceledException)
        {
            tcp.Dispose();
            return (null, ex switch
            {
                OperationCanceledException when !cancellationToken.IsCancellationRequested => $"{endpoint} did not answer within {timeout.TotalSeconds:0.#} s",
                AuthenticationException => $"{endpoint} refused TLS or is not the household's ({refusal ?? ex.Message.TrimEnd('.')})",
                _ => $"{endpoint} cannot be reached ({ex.Message.TrimEnd('.')})",
            });
        }
    }

    /// <summary>Queues the frame (the array is read later, on the way out: it must not change); false once the link is closed.</summary>
    public bool Send(long requestId, byte[] frame, float minConfidence) => _outgoing.Writer.TryWrite(new Outgoing(requestId, frame, minConfidence));

    public ValueTask DisposeAsync()
    {
        Close("closed by this node");
        return ValueTask.CompletedTask;
    }

    private async Task WriteLoopAsync()
    {
        var header = new byte[FrameWire.FrameHeaderBytes];
        try
        {
            var reader = _outgoing.Reader;
            while (await reader.WaitToReadAsync(_closing.Token))
            {
                while (reader.TryRead(out var next))
                {
                    var (start, length) = FrameWire.WriteFrameHeader(header, next.RequestId, next.MinConfidence, next.Frame);
                    await _stream.WriteAsync(header, _closing.Token);
                    await _stream.WriteAsync(next.Frame.AsMemory(start, length), _closing.Token);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Close($"sending to {Endpoint} failed ({ex.Message.TrimEnd('.')})");
        }
    }

    private async Task ReadLoopAsync()
    {
        var length = new byte[4];
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(length, _closing.Token);
                var size = BinaryPrimitives.ReadInt32LittleEndian(length);
                if (size is < 0 or > FrameWire.MaxResultBytes)
                {
                    Close($"{Endpoint} sent an answer of {size} bytes");
                    return;
                }

                var bytes = new byte[size];
                await _stream.ReadExactlyAsync(bytes, _closing.Token);
                var (result, problem) = FrameWire.ReadResult(bytes);
                if (result is null)
                {
                    Close($"{Endpoint} sent {problem}");
                    return;
                }

                _onResult(result);
            }
        }
        catch (EndOfStreamException)
        {
            Close($"{Endpoint} closed the connection");
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Close($"reading from {Endpoint} failed ({ex.Message.TrimEnd('.')})");
        }
    }

    private void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _outgoing.Writer.TryComplete();
        _closing.Cancel();
        _stream.Dispose();
        _tcp.Dispose();
        _onClosed(reason);
    }

    private sealed record Outgoing(long RequestId, byte[] Frame, float MinConfidence);
}
