using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Event;
using HomeSec.Actors.Serialization;
using HomeSec.Core.Config;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Actors.Inference.Frames;

/// <summary>
/// <c>/user/frame-channel</c> on an inference node: the frame port (<c>cluster.frame_port</c>), a plain TCP listener
/// beside remoting that takes frames for the node's pool. Remoting moves a 690 KB frame through its serializer, a
/// protobuf envelope and DotNetty's buffers, a copy at each step; here the picture is read straight into the array the
/// model runs on. Membership, reachability and every other message stay on remoting; the NVR's router asks this actor
/// for the port (<see cref="GetFrameChannel"/>) and falls back to remoting when it cannot connect. Each connection is a
/// child (<see cref="FrameConnectionActor"/>). A port that cannot be bound is logged, not fatal: frames go over remoting.
/// </summary>
public sealed class FrameChannelActor : ReceiveActor, IWithTimers
{
    /// <summary>An NVR holds one connection per inference node; more than a few is a misbehaving peer.</summary>
    private const int MaxConnections = 8;

    private static readonly TimeSpan BindRetry = TimeSpan.FromSeconds(5);

    private readonly FrameChannelSettings _settings;
    private readonly IActorRef _pool;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private TcpListener? _listener;
    private X509Certificate2? _household;

    public FrameChannelActor(FrameChannelSettings settings, IActorRef pool)
    {
        _settings = settings;
        _pool = pool;
        Become(Unbound);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(FrameChannelSettings settings, IActorRef pool) => Akka.Actor.Props.Create(() => new FrameChannelActor(settings, pool));

    protected override void PreStart()
    {
        if (_settings.Tls is { } tls)
        {
            var (certificate, problem) = tls.Load(Environment.GetEnvironmentVariable);
            if (certificate is null)
            {
                _log.Error("frames: no frame port, frames come over remoting: cluster.tls.certificate_path: {0}", problem);
                return;
            }

            _household = certificate;
        }

        Bind();
    }

    private void Bind()
    {
        try
        {
            var listener = new TcpListener(BindAddress(_settings.Host), _settings.Port);
            // A node restarted after a crash binds again while the old connections linger in TIME_WAIT on this port.
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Server.ReceiveBufferSize = FrameWire.SocketBufferBytes;
            listener.Start();
            _listener = listener;
        }
        catch (SocketException ex)
        {
            _log.Warning("frames: cannot listen on {0}:{1} ({2}); frames come over remoting (slower) until it can, trying again every {3} s",
                _settings.Host, _settings.Port, ex.Message, BindRetry.TotalSeconds);
            Timers.StartSingleTimer(nameof(BindAgain), BindAgain.Instance, BindRetry);
            return;
        }

        _log.Info("frames: frame port {0} listening on {1}{2}", Port, _settings.Host, _household is null ? " (plain TCP)" : " (household TLS)");
        Become(Listening);
        Accept();
    }

    protected override void PostStop()
    {
        _listener?.Stop();
        _household?.Dispose();
        base.PostStop();
    }

    private int Port => ((IPEndPoint)_listener!.LocalEndpoint).Port;

    /// <summary>No port: the NVR's question goes unanswered, and its frames keep going over remoting.</summary>
    private void Unbound()
    {
        Receive<GetFrameChannel>(_ => { });
        Receive<BindAgain>(_ => Bind());
    }

    private void Listening()
    {
        Receive<GetFrameChannel>(_ => Sender.Tell(new FrameChannelAt(Port)));
        Receive<Accepted>(accepted =>
        {
            if (Context.GetChildren().Count() >= MaxConnections)
            {
                _log.Warning("frames: refused a connection from {0}: {1} are open already", accepted.Socket.RemoteEndPoint, MaxConnections);
                accepted.Socket.Dispose();
            }
            else
            {
                Context.ActorOf(FrameConnectionActor.Props(accepted.Socket, _pool, _household, _settings.MaxFrameBytes));
            }

            Accept();
        });
        Receive<AcceptFailed>(failed =>
        {
            // The listener is broken (it only ends when stopped): the supervisor restarts this actor, which binds again.
            throw new InvalidOperationException("the frame port stopped accepting connections", failed.Error);
        });
    }

    private void Accept() =>
        _listener!.AcceptSocketAsync().PipeTo(Self, success: socket => new Accepted(socket), failure: ex => new AcceptFailed(ex));

    private static IPAddress BindAddress(string host) =>
        IPAddress.TryParse(host, out var address) ? address : Dns.GetHostAddresses(host).FirstOrDefault() ?? IPAddress.Any;

    private sealed record BindAgain
    {
        public static BindAgain Instance { get; } = new();
    }

    private sealed record Accepted(Socket Socket);

    private sealed record AcceptFailed(Exception Error);
}

/// <param name="Host">What to bind (<c>cluster.hostname</c>).</param>
/// <param name="Port"><c>cluster.frame_port</c>; 0: any free port (tests).</param>
/// <param name="Tls">The household certificate; null: plain TCP (where remoting is plain too).</param>
/// <param name="MaxFrameBytes">The pool's model input: a longer frame is a bad peer, not a frame to allocate.</param>
public sealed record FrameChannelSettings(string Host, int Port, ClusterTls? Tls, int MaxFrameBytes);
