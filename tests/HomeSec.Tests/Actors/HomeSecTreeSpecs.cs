using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using HomeSec.Actors;
using HomeSec.Actors.Clips;
using HomeSec.Actors.Inference;
using HomeSec.Actors.Retention;
using HomeSec.Actors.Workers;
using HomeSec.Actors.Workers.Outbox;
using HomeSec.Actors.Hosting;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace HomeSec.Tests.Actors;

/// <summary>
/// The whole actor tree in this process, built from a validated config by the same settings and Akka.Hosting
/// extensions the daemon uses: a local_folder camera, local storage, the SQLite journal and the log notifier.
/// </summary>
public sealed class HomeSecTreeSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _temp = new();

    private string WatchDir => _temp.Combine("incoming", "front_door");

    private string DatabaseFile => _temp.Combine("homesec.db");

    private string AlertsFile => _temp.Combine("alerts.jsonl");

    [Fact]
    public async Task Should_store_alert_and_mark_done_a_clip_when_it_is_dropped_into_the_camera_folder()
    {
        // Given
        var config = AppConfigLoader.Load(Config(), PluginRegistries.CreateBuiltin(), _ => null);
        using var host = BuildHost(config);
        await host.StartAsync();
        var clip = _temp.Combine("porch.mp4");
        await Ffmpeg.MakeTestClipAsync(clip, seconds: 1, width: 64, height: 48);

        // When
        Directory.CreateDirectory(WatchDir);
        File.Move(clip, Path.Combine(WatchDir, "porch.mp4"));
        var done = await Eventually.WaitForAsync(
            () => Task.FromResult(ClipStatesTable.Read(DatabaseFile).FirstOrDefault(s => s.GetProperty("status").GetString() == "done") is { ValueKind: JsonValueKind.Object } state
                ? new Found(state)
                : null),
            Patience, "a clip done in clip_states");

        // Then
        var clipId = done.State.GetProperty("clip_id").GetString()!;
        Assert.True(File.Exists(_temp.Combine("storage", "front_door", clipId + ".mp4")), "the clip was not copied to local storage");
        Assert.Contains(clipId, await File.ReadAllTextAsync(AlertsFile), StringComparison.Ordinal);
        await Eventually.WaitForAsync(() => ClipManifestFile.DoneClipIds(Path.Combine(WatchDir, ".homesec", "manifest.jsonl")).Contains(clipId),
            Patience, "the clip marked done in the camera's manifest");
        await host.StopAsync();
    }

    [Fact]
    public async Task Should_answer_for_every_part_when_the_root_is_asked_after_each_part_started_by_its_own_extension()
    {
        // Given
        var config = AppConfigLoader.Load(Config(), PluginRegistries.CreateBuiltin(), _ => null);
        using var host = BuildHost(config);
        await host.StartAsync();
        var root = host.Services.GetRequiredService<ActorRegistry>().Get<HomeSecRoot>();

        // When
        var stages = await root.Ask<WorkerProtocol.Stages>(WorkerProtocol.GetStages.Instance, Patience);
        var outboxes = await root.Ask<OutboxProtocol.NotifierOutboxes>(OutboxProtocol.GetNotifierOutboxes.Instance, Patience);
        var inFlight = await root.Ask<ClipProtocol.ClipsInFlight>(ClipProtocol.GetClipsInFlight.Instance, Patience);
        var inference = await root.Ask<InferenceProtocol.InferenceStatus>(InferenceProtocol.GetInferenceStatus.Instance, Patience);
        var retention = await root.Ask<RetentionProtocol.RetentionStatus>(RetentionProtocol.GetRetentionStatus.Instance, Patience);

        // Then
        Assert.Equal(["filter", "notify", "upload"], stages.ByName.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["log"], outboxes.Outboxes.Keys);
        Assert.Empty(inFlight.Running);
        Assert.False(inference.Enabled); // filter: none runs no model, so no pool was started
        Assert.True(retention.Enabled);
        await host.StopAsync();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    /// <summary>What the daemon's host does, less HTTP: the config's settings on the Akka.Hosting builder.</summary>
    private static IHost BuildHost(AppConfig config)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka(HomeSecAkkaExtensions.ActorSystemName, (akka, services) =>
        {
            var settings = HomeSecSettings.FromConfig(config, PluginRegistries.CreateBuiltin(), services.GetRequiredService<ILoggerFactory>(), TimeProvider.System);
            akka.AddHocon(HomeSecAkkaExtensions.SqliteJournalConfig(config.StateStore.SqlitePath), HoconAddMode.Prepend)
                .AddHomeSec(settings);
        });
        return builder.Build();
    }

    private string Config() => $"""
        cameras:
          - name: front_door
            source:
              type: local_folder
              config:
                watch_dir: {WatchDir}
                poll_interval_s: 0.1
                stability_threshold_s: 0.2
        storage:
          backend: local
          config:
            root: {_temp.Combine("storage")}
        state_store:
          backend: sqlite
          path: {DatabaseFile}
          local_state_dir: {_temp.Combine("state")}
        notifiers:
          - backend: log
            config:
              path: {AlertsFile}
        per_camera_alert:
          front_door:
            notify_on_motion: true
        outbox:
          dir: {_temp.Combine("outbox")}
        health:
          enabled: false
        """;

    private sealed record Found(JsonElement State);
}
