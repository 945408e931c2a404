using System.CommandLine;
using System.Globalization;
using Akka.Actor;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Repository;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Actors.Retention;
using HomeSec.Core.Config;
using HomeSec.Core.Inference;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Filters.Yolo;
using HomeSec.Core.Retention;
using HomeSec.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;
using static HomeSec.Actors.Retention.RetentionProtocol;

namespace HomeSec.Cli;

/// <summary>
/// <c>homesec cleanup --config FILE</c>: one retention pass by the configured rules (or <c>--older-than</c>), or the
/// seed's re-check with a larger model. A dry run by default: it reports what it would delete and changes nothing;
/// <c>--apply</c> deletes and records each deletion as a clip_deleted event, through the same actors the daemon uses.
/// </summary>
public static class CleanupCommand
{
    public static Command Build()
    {
        var config = HomeSecCli.ConfigOption();
        var apply = new Option<bool>("--apply") { Description = "Delete for real (without it: a dry run that reports and changes nothing)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report only, change nothing (the default)." };
        var olderThan = new Option<string?>("--older-than") { Description = "Also delete local copies of stored clips older than this age (30m, 24h, 7d); with --recheck-model: only recheck clips older than this." };
        var camera = new Option<string?>("--camera") { Description = "Only this camera's clips." };
        var recheckModel = new Option<FileInfo?>("--recheck-model") { Description = "An ONNX detector (e.g. yolo11x.onnx) to look again at clips whose filter found nothing: those it finds nothing in either are deleted (local and stored copies)." };
        var confidence = new Option<double>("--recheck-confidence") { Description = "Minimum confidence of the recheck model (0-1).", DefaultValueFactory = _ => 0.35 };
        var sampleFps = new Option<double>("--recheck-sample-fps") { Description = "Frames per second the recheck looks at.", DefaultValueFactory = _ => 2 };
        var minBox = new Option<double>("--recheck-min-box-h-ratio") { Description = "Smallest box height kept, as a share of the frame height (0-1).", DefaultValueFactory = _ => 0 };
        var command = new Command("cleanup", "Apply the retention rules once, or recheck clips with a larger model and delete those still empty (a dry run unless --apply).")
        {
            config, apply, dryRun, olderThan, camera, recheckModel, confidence, sampleFps, minBox,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(new Arguments(parse.GetValue(config)!, parse.GetValue(apply), parse.GetValue(dryRun),
            parse.GetValue(olderThan), parse.GetValue(camera), parse.GetValue(recheckModel), parse.GetValue(confidence), parse.GetValue(sampleFps),
            parse.GetValue(minBox)), cancellationToken));
        return command;
    }

    private sealed record Arguments(FileInfo Config, bool Apply, bool DryRun, string? OlderThan, string? Camera, FileInfo? RecheckModel,
        double Confidence, double SampleFps, double MinBoxHeightRatio);

    private static async Task<int> RunAsync(Arguments args, CancellationToken cancellationToken)
    {
        if (Problem(args) is { } problem)
        {
            await Console.Error.WriteLineAsync(problem);
            return ExitCodes.Usage;
        }

        var registries = PluginRegistries.CreateBuiltin();
        AppConfig config;
        try
        {
            config = AppConfigLoader.LoadFile(args.Config.FullName, registries);
        }
        catch (ConfigException ex)
        {
            ValidateCommand.PrintErrors(args.Config, ex, Console.Error);
            return ExitCodes.Usage;
        }

        if (args.Camera is { } name && config.Cameras.All(c => c.Name != name))
        {
            await Console.Error.WriteLineAsync($"--camera: no camera is named '{name}'; cameras: {string.Join(", ", config.Cameras.Select(c => c.Name))}.");
            return ExitCodes.Usage;
        }

        if (config.StateStore.Backend == StateStoreBackend.Sqlite && !File.Exists(config.StateStore.SqlitePath))
        {
            await Console.Error.WriteLineAsync($"homesec: no state store at {config.StateStore.SqlitePath}: nothing was recorded there yet " +
                "(state_store.path is relative to the working directory: run this where the daemon runs, or make it absolute).");
            return ExitCodes.Failure;
        }

        // Deleting writes events; only one process may write a state dir's spool and journal streams at a time.
        using var daemonLock = args.Apply ? DaemonLock.TryAcquire(config.StateStore.LocalStateDir) : null;
        if (args.Apply && daemonLock is null)
        {
            await Console.Error.WriteLineAsync($"homesec: the daemon is running (it holds {DaemonLock.PathIn(config.StateStore.LocalStateDir)}); " +
                "stop it before cleanup --apply, or let its own retention (the retention: section) delete. A dry run works while it runs.");
            return ExitCodes.Failure;
        }

        var openProblem = "";
        using var detector = args.RecheckModel is { } modelFile ? OpenRecheckDetector(modelFile, out openProblem) : null;
        if (args.RecheckModel is not null && detector is null)
        {
            await Console.Error.WriteLineAsync(openProblem);
            return ExitCodes.Usage;
        }

        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        var context = new PluginContext(loggerFactory, TimeProvider.System) { CameraNames = [.. config.Cameras.Select(c => c.Name)] };
        var storage = registries.Storage.Create(config.Storage.Plugin, context);
        var store = ClipStore.For(config.StateStore);
        var request = new CleanupRequest(!args.Apply, args.OlderThan is { } age ? ParseAge(age) : null, args.Camera,
            detector is null ? null : new YoloFilter(RecheckOptions(detector.Model, args), detector.Detector, config.Filter.TriggerClasses));

        var system = ActorSystem.Create(HomeSecAkkaExtensions.ActorSystemName, ActorSystemConfig(config, args.Apply));
        try
        {
            var repository = args.Apply
                ? system.ActorOf(ClipRepository.Props(new RepositorySettings(store, config.StateStore.SpoolPath, config.StateStore.SpoolMaxEvents)), "repository")
                : ActorRefs.Nobody;
            var settings = new RetentionSettings(config.Retention, store, storage, config.Storage.Plugin.Name, loggerFactory.CreateLogger("HomeSec.Retention"),
                TimeProvider.System, RunScheduledPasses: false);
            var retention = system.ActorOf(RetentionActor.Props(settings, repository), "retention");
            var report = await RunPassAsync(retention, request, cancellationToken);
            if (report is null)
            {
                return ExitCodes.Failure;
            }

            Print(report, config);
            if (args.Apply && report.Deletions.Count + report.RecheckFound.Count > 0)
            {
                await WaitForProjectionAsync(store, cancellationToken);
            }

            return report.Failed.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        }
        finally
        {
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
            (storage as IDisposable)?.Dispose();
        }
    }

    private static string? Problem(Arguments args)
    {
        if (args.Apply && args.DryRun)
        {
            return "--apply and --dry-run contradict each other; give one (a dry run is the default).";
        }

        if (args.OlderThan is { } age && ParseAge(age) is null)
        {
            return $"--older-than: '{age}' is not an age; expected a number with m, h or d (30m, 24h, 7d).";
        }

        if (args.RecheckModel is { } model && !model.Exists)
        {
            return $"--recheck-model: no file at {model.FullName}.";
        }

        return args switch
        {
            { Confidence: < 0 or > 1 } => $"--recheck-confidence: '{args.Confidence.ToString(CultureInfo.InvariantCulture)}' is not allowed; expected a number from 0 to 1.",
            { SampleFps: <= 0 or > 60 } => $"--recheck-sample-fps: '{args.SampleFps.ToString(CultureInfo.InvariantCulture)}' is not allowed; expected a number above 0, at most 60.",
            { MinBoxHeightRatio: < 0 or > 1 } => $"--recheck-min-box-h-ratio: '{args.MinBoxHeightRatio.ToString(CultureInfo.InvariantCulture)}' is not allowed; expected a number from 0 to 1.",
            _ => null,
        };
    }

    internal static TimeSpan? ParseAge(string text)
    {
        if (text.Length < 2 || !double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount < 0)
        {
            return null;
        }

        return text[^1] switch
        {
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => null,
        };
    }

    private sealed record RecheckDetector(DetectorModel Model, SessionDetector Detector) : IDisposable
    {
        public void Dispose() => Detector.Dispose();
    }

    private static RecheckDetector? OpenRecheckDetector(FileInfo file, out string problem)
    {
        problem = "";
        try
        {
            var model = DetectorModel.Load(file.FullName);
            return new RecheckDetector(model, new SessionDetector(OnnxDetectorSession.Open(model, InferenceOptions.Default with { MaxBatch = 1 })));
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            problem = $"--recheck-model: {file.Name} cannot be used as a detector: {HomeSecCli.OneLine(ex.Message)}.";
            return null;
        }
    }

    private static YoloFilterOptions RecheckOptions(DetectorModel model, Arguments args) =>
        new(model, args.SampleFps, (float)args.Confidence, 0.45f, args.MinBoxHeightRatio, [], EarlyExit: true, InferenceOptions.Default);

    private static Akka.Configuration.Config ActorSystemConfig(AppConfig config, bool writes)
    {
        var quiet = Akka.Configuration.ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        var baseConfig = quiet.WithFallback(HomeSecAkkaExtensions.HomeSecConfig());
        return !writes ? baseConfig : baseConfig.WithFallback(config.StateStore.Backend switch
        {
            StateStoreBackend.Postgres => HomeSecAkkaExtensions.PostgresJournalConfig(config.StateStore.PostgresConnectionString!),
            _ => HomeSecAkkaExtensions.SqliteJournalConfig(config.StateStore.SqlitePath),
        });
    }

    private static async Task<RetentionPassReport?> RunPassAsync(IActorRef retention, CleanupRequest request, CancellationToken cancellationToken)
    {
        try
        {
            if (request.Recheck is null || Console.IsOutputRedirected)
            {
                var lastPrinted = 0;
                var plain = request with
                {
                    Progress = new Progress<(int Done, int Total)>(p =>
                    {
                        if (p.Done == p.Total || p.Done - lastPrinted >= Math.Max(1, p.Total / 20))
                        {
                            lastPrinted = p.Done;
                            Console.WriteLine($"rechecked {p.Done}/{p.Total}");
                        }
                    }),
                };
                return await retention.Ask<RetentionPassReport>(new RunRetentionPass(plain), Timeout.InfiniteTimeSpan, cancellationToken);
            }

            RetentionPassReport? report = null;
            await AnsiConsole.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask("rechecking clips", maxValue: 1);
                var live = request with
                {
                    Progress = new Progress<(int Done, int Total)>(p =>
                    {
                        task.MaxValue = p.Total;
                        task.Value = p.Done;
                    }),
                };
                report = await retention.Ask<RetentionPassReport>(new RunRetentionPass(live), Timeout.InfiniteTimeSpan, cancellationToken);
                task.Value = task.MaxValue;
            });
            return report;
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or System.Net.Sockets.SocketException or TimeoutException or IOException
                                       or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"homesec: cannot read the clips from the state store ({HomeSecCli.OneLine(ex.Message)}): is the database running?");
            return null;
        }
    }

    private static void Print(RetentionPassReport report, AppConfig config)
    {
        var verb = report.DryRun ? "would delete" : "deleted";
        foreach (var deletion in report.Deletions)
        {
            Console.WriteLine($"{verb} {deletion.Target.ToWireName(),-6} {deletion.ClipId}  ({deletion.Reason.ToWireName()}, {Size(deletion.Bytes)})");
        }

        foreach (var (deletion, reason) in report.Failed)
        {
            Console.WriteLine($"failed {deletion.Target.ToWireName(),-6} {deletion.ClipId}  ({reason})");
        }

        foreach (var clipId in report.RecheckFound)
        {
            Console.WriteLine($"kept   {clipId}  (the recheck model found something)");
        }

        foreach (var (clipId, reason) in report.RecheckFailed)
        {
            Console.WriteLine($"kept   {clipId}  (the recheck could not look at it: {reason})");
        }

        var deletedClips = report.Deletions.Select(d => d.ClipId).Distinct().Count();
        var table = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn(new TableColumn("").RightAligned());
        table.ShowHeaders = false;
        table.AddRow("clips examined", report.Examined.ToString(CultureInfo.InvariantCulture));
        table.AddRow($"clips {verb.Replace("delete", "touched", StringComparison.Ordinal)}", deletedClips.ToString(CultureInfo.InvariantCulture));
        table.AddRow("kept", (report.Examined - deletedClips).ToString(CultureInfo.InvariantCulture));
        table.AddRow($"local copies {verb}", report.Deletions.Count(d => d.Target == DeletionTarget.Local).ToString(CultureInfo.InvariantCulture));
        table.AddRow($"stored copies {verb} ({config.Storage.Plugin.Name})", report.Deletions.Count(d => d.Target == DeletionTarget.Remote).ToString(CultureInfo.InvariantCulture));
        table.AddRow(report.DryRun ? "bytes it would free" : "bytes freed", Size(report.BytesFreed));
        if (report.Rechecked > 0)
        {
            table.AddRow("rechecked", report.Rechecked.ToString(CultureInfo.InvariantCulture));
            table.AddRow("rechecked, something found", report.RecheckFound.Count.ToString(CultureInfo.InvariantCulture));
        }

        if (report.KeptPendingUpload.Count > 0)
        {
            table.AddRow("kept: not stored yet", report.KeptPendingUpload.Count.ToString(CultureInfo.InvariantCulture));
        }

        if (report.Failed.Count > 0)
        {
            table.AddRow("failed (tried again next time)", report.Failed.Count.ToString(CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        if (report.DryRun)
        {
            Console.WriteLine("dry run: nothing was changed; run again with --apply to delete.");
        }
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.0} KiB",
        _ => $"{bytes} B",
    };

    /// <summary>So that <c>clips list</c> right after shows the deletions (the daemon's projection would catch up at its next start anyway).</summary>
    private static async Task WaitForProjectionAsync(ClipStore store, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (await store.ProjectionCaughtUpAsync(cancellationToken))
            {
                return;
            }

            await Task.Delay(200, cancellationToken);
        }

        Console.WriteLine("note: the clip list catches up with these deletions when the daemon next starts.");
    }
}
