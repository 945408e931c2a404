using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Routing;
using HomeSec.Actors.Cameras;
using HomeSec.Actors.Clips;
using HomeSec.Actors.Inference;
using HomeSec.Actors.Repository;
using HomeSec.Actors.Retention;
using HomeSec.Actors.Workers;

namespace HomeSec.Actors.Hosting;

/// <summary>
/// One extension per part of the actor tree, each taking only its own settings: it starts the part as a top-level
/// actor and registers it in the <see cref="IActorRegistry"/>, where the parts added after it find it. Add them in
/// dependency order (repository, inference, workers, clips, retention, cameras), as <c>AddHomeSec</c> does; a spec
/// that needs only some parts adds only those.
/// </summary>
public static class HomeSecPartsExtensions
{
    /// <summary><c>/user/repository</c>: the event-sourced clip repository, its spool and projection.</summary>
    public static AkkaConfigurationBuilder AddHomeSecRepository(this AkkaConfigurationBuilder builder, RepositorySettings settings) =>
        builder.WithActors((system, registry) =>
            registry.Register<ClipRepository>(system.ActorOf(ClipRepository.Props(settings), "repository")));

    /// <summary>
    /// <c>/user/inference</c> (a router pool of inference actors; the address other nodes send frames to) and
    /// <c>/user/inference-replies</c>, when the settings ask for a pool; on a cluster's NVR also
    /// <c>/user/inference-router</c>, which the filters' frames go through; on a node with the inference role
    /// <c>/user/frame-channel</c>, its frame port. Otherwise nothing starts.
    /// </summary>
    public static AkkaConfigurationBuilder AddHomeSecInference(this AkkaConfigurationBuilder builder, InferenceSettings settings)
    {
        if (settings.Pool is not { } pool)
        {
            return builder;
        }

        return builder.WithActors((system, registry) =>
        {
            var local = settings.StartsLocalPool
                ? system.ActorOf(InferenceActor.Props(pool.Model, pool.Options).WithRouter(new RoundRobinPool(pool.Options.Workers)), "inference")
                : null;
            var replies = system.ActorOf(InferenceReplies.Props(settings.Client), "inference-replies");
            var target = local;
            if (settings.Routing is { } routing)
            {
                target = system.ActorOf(InferenceRouter.Props(local, routing), "inference-router");
                registry.Register<InferenceRouter>(target);
            }

            settings.Client.Bind(target!, replies);
            if (local is not null)
            {
                registry.Register<InferenceActor>(local);
                if (settings.FrameChannel is { } frameChannel)
                {
                    system.ActorOf(Inference.Frames.FrameChannelActor.Props(frameChannel, local), "frame-channel");
                }
            }
        });
    }

    /// <summary><c>/user/workers</c>: the stage actors and the notifiers' outboxes; needs the repository.</summary>
    public static AkkaConfigurationBuilder AddHomeSecWorkers(this AkkaConfigurationBuilder builder, WorkerPoolSettings settings) =>
        builder.WithActors((system, registry) =>
        {
            registry.Register<WorkerPools>(system.ActorOf(WorkerPools.Props(settings, registry.Get<ClipRepository>()), "workers"));
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "close-notifiers", () => CloseNotifiersAsync(settings));
        });

    /// <summary><c>/user/clips</c>: the clip coordinator and a supervisor per clip; needs the repository and the workers.</summary>
    public static AkkaConfigurationBuilder AddHomeSecClips(this AkkaConfigurationBuilder builder, ClipSettings settings) =>
        builder.WithActors((system, registry) =>
        {
            var clips = system.ActorOf(ClipCoordinator.Props(registry.Get<WorkerPools>(), settings, registry.Get<ClipRepository>()), "clips");
            registry.Register<ClipCoordinator>(clips);
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "drain-clips", () => DrainAsync(clips, settings.DrainTimeout));
        });

    /// <summary>
    /// <c>/user/retention</c>, when there are settings (a state store to read clips from); needs the repository, and
    /// hands the clip coordinator over when it runs, to release clips waiting for storage.
    /// </summary>
    public static AkkaConfigurationBuilder AddHomeSecRetention(this AkkaConfigurationBuilder builder, RetentionSettings? settings)
    {
        if (settings is null)
        {
            return builder;
        }

        return builder.WithActors((system, registry) =>
        {
            var retention = system.ActorOf(RetentionActor.Props(settings, registry.Get<ClipRepository>()), "retention");
            if (registry.TryGet<ClipCoordinator>(out var clips))
            {
                retention.Tell(new RetentionProtocol.ClipsStarted(clips));
            }

            registry.Register<RetentionActor>(retention);
        });
    }

    /// <summary><c>/user/cameras</c>: one actor per camera, handing clips to the coordinator; needs the clips.</summary>
    public static AkkaConfigurationBuilder AddHomeSecCameras(this AkkaConfigurationBuilder builder, CameraSettings settings) =>
        builder.WithActors((system, registry) =>
        {
            var cameras = system.ActorOf(CameraManager.Props(settings.Sources, registry.Get<ClipCoordinator>(), settings.Backoff, settings.RunningSources), "cameras");
            registry.Register<CameraManager>(cameras);
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "stop-cameras", () => StopCamerasAsync(system, settings.RunningSources));
        });

    /// <summary><c>/user/homesec</c>: the root the HTTP API and CLI ask; needs every part added before it.</summary>
    public static AkkaConfigurationBuilder AddHomeSecRoot(this AkkaConfigurationBuilder builder, InferenceSettings inference) =>
        builder.WithActors((system, registry) =>
        {
            var parts = new HomeSecParts(
                registry.Get<ClipRepository>(),
                registry.Get<WorkerPools>(),
                registry.Get<ClipCoordinator>(),
                registry.Get<CameraManager>(),
                registry.TryGet<RetentionActor>(out var retention) ? retention : null,
                inference.Pool is { } pool && registry.TryGet<InferenceActor>(out var local) ? (local, pool.Options.Workers) : null)
            {
                InferenceRouter = registry.TryGet<InferenceRouter>(out var router) ? router : null,
            };
            registry.Register<HomeSecRoot>(system.ActorOf(HomeSecRoot.Props(parts), "homesec"));
        });

    /// <summary>
    /// Stops every camera source and waits for it to end, so each ffmpeg it started is killed and reaped
    /// before the process exits (the phase timeout in hocon/homesec.conf bounds the wait).
    /// </summary>
    private static async Task<Done> StopCamerasAsync(ActorSystem system, RunningSources running)
    {
        if (!await running.StopAllAsync(TimeSpan.FromSeconds(8)))
        {
            system.Log.Warning("{0} camera source(s) did not stop within 8 s", running.Count);
        }

        return Done.Instance;
    }

    /// <summary>Lets notifiers say goodbye (the mqtt notifier publishes <c>offline</c>) once no clip needs them.</summary>
    private static async Task<Done> CloseNotifiersAsync(WorkerPoolSettings settings)
    {
        foreach (var notifier in settings.Notify.Notifiers.Select(n => n.Notifier).OfType<IAsyncDisposable>())
        {
            await notifier.DisposeAsync();
        }

        return Done.Instance;
    }

    /// <summary>Lets the clips in flight finish (bounded), so a restart has less to resume.</summary>
    private static async Task<Done> DrainAsync(IActorRef clips, TimeSpan timeout)
    {
        try
        {
            await clips.Ask<ClipProtocol.Drained>(ClipProtocol.DrainClips.Instance, timeout);
        }
        catch (AskTimeoutException)
        {
            // The unfinished clips are still pending on disk and are resumed at the next start.
        }

        return Done.Instance;
    }
}
