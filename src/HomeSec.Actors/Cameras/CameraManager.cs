using Akka.Actor;
using Akka.Pattern;
using HomeSec.Core.Plugins;
using static HomeSec.Actors.Cameras.CameraProtocol;

namespace HomeSec.Actors.Cameras;

/// <summary>
/// Starts one <see cref="CameraActor"/> per configured camera, each under a backoff supervisor named
/// <c>camera-{name}</c> so a failing source is restarted with growing pauses instead of a tight loop.
/// Keeps the cameras' last health reports.
/// </summary>
public sealed class CameraManager : ReceiveActor
{
    private readonly Dictionary<string, SourceHealth> _health = new(StringComparer.Ordinal);

    public CameraManager(IReadOnlyList<CameraSource> cameras, IActorRef coordinator, CameraRestartBackoff backoff, RunningSources running)
    {
        foreach (var camera in cameras)
        {
            _health[camera.Name] = new SourceHealth(false, null, "starting");
            var cameraProps = CameraActor.Props(camera.Name, camera.CreateSource, coordinator, Self, running);
            var supervised = BackoffSupervisor.Props(
                Backoff.OnFailure(cameraProps, "source", backoff.Min, backoff.Max, randomFactor: 0.2, maxNrOfRetries: -1)
                    .WithAutoReset(backoff.Max));
            Context.ActorOf(supervised, $"camera-{camera.Name}");
        }

        Receive<CameraHealthReport>(report => _health[report.CameraName] = report.Health);
        Receive<GetCamerasHealth>(_ => Sender.Tell(new CamerasHealth(new Dictionary<string, SourceHealth>(_health))));
    }

    public static Props Props(IReadOnlyList<CameraSource> cameras, IActorRef coordinator, CameraRestartBackoff backoff, RunningSources running) =>
        Akka.Actor.Props.Create(() => new CameraManager(cameras, coordinator, backoff, running));
}

/// <summary>A camera's name and how to build its source plugin (once per start of its actor).</summary>
public sealed record CameraSource(string Name, Func<IClipSource> CreateSource);

public sealed record CameraRestartBackoff(TimeSpan Min, TimeSpan Max)
{
    public static CameraRestartBackoff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
}
