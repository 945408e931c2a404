using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using Spectre.Console;

namespace HomeSec.Cli;

/// <summary><c>homesec clips list|show</c>: reads the clip_states and clip_events tables of the configured state store.</summary>
public static class ClipsCommand
{
    public static Command Build()
    {
        var command = new Command("clips", "Query recorded clips (from the state store's clip_states and clip_events tables).");
        command.Subcommands.Add(BuildList());
        command.Subcommands.Add(BuildShow());
        return command;
    }

    private static Command BuildList()
    {
        var config = HomeSecCli.ConfigOption();
        var camera = new Option<string?>("--camera") { Description = "Only this camera." };
        var status = new Option<string?>("--status") { Description = "Only this status: queued_local, uploaded, analyzed, done, error, deleted." };
        var since = new Option<string?>("--since") { Description = "Only clips recorded since: an ISO time (2026-11-24T08:00Z) or an age (30m, 24h, 7d)." };
        var limit = new Option<int>("--limit") { Description = "At most this many clips, newest first.", DefaultValueFactory = _ => 50 };
        var json = new Option<bool>("--json") { Description = "One JSON object per line, for scripts." };
        var command = new Command("list", "List clips, newest first.") { config, camera, status, since, limit, json };
        command.SetAction((parse, cancellationToken) => ListAsync(parse.GetValue(config)!, parse.GetValue(camera), parse.GetValue(status),
            parse.GetValue(since), parse.GetValue(limit), parse.GetValue(json), cancellationToken));
        return command;
    }

    private static Command BuildShow()
    {
        var config = HomeSecCli.ConfigOption();
        var clipId = new Argument<string>("clip-id") { Description = "The clip id, e.g. front_door-20261124T081500Z." };
        var json = new Option<bool>("--json") { Description = "The clip state and its events as JSON." };
        var command = new Command("show", "Show one clip: its state and every event of its history.") { config, clipId, json };
        command.SetAction((parse, cancellationToken) => ShowAsync(parse.GetValue(config)!, parse.GetValue(clipId)!, parse.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> ListAsync(FileInfo configFile, string? camera, string? status, string? since, int limit, bool json, CancellationToken cancellationToken)
    {
        if (status is not null && !AllowedStatuses.Contains(status, StringComparer.Ordinal))
        {
            await Console.Error.WriteLineAsync($"--status: '{status}' is not a clip status; allowed: {string.Join(", ", AllowedStatuses)}.");
            return ExitCodes.Usage;
        }

        if (Store(configFile, out var failure) is not { } store)
        {
            return failure;
        }

        DateTimeOffset? from = null;
        if (since is not null)
        {
            if (ParseSince(since, DateTimeOffset.UtcNow) is not { } parsed)
            {
                await Console.Error.WriteLineAsync($"--since: '{since}' is not a time; use an ISO time (2026-11-24T08:00Z) or an age (30m, 24h, 7d)");
                return ExitCodes.Usage;
            }

            from = parsed;
        }

        IReadOnlyList<ClipRow> clips;
        try
        {
            clips = await store.Store.ListAsync(camera, status, from, limit, cancellationToken);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            await Console.Error.WriteLineAsync(Unreachable(store.Config, ex));
            return ExitCodes.Failure;
        }

        if (json)
        {
            foreach (var clip in clips)
            {
                Console.WriteLine(clip.Json);
            }

            return 0;
        }

        if (clips.Count > 0)
        {
            var table = TerminalOutput.Table("CLIP", "CAMERA", "STATUS", "RECORDED (UTC)", "ALERT", "VIEW");
            foreach (var clip in clips.Select(c => c.State))
            {
                var alert = clip.AlertDecision is { } decision ? (decision.Notify ? "yes" : "no") : "-";
                var statusName = Status(clip.Status);
                table.AddRow(
                    TerminalOutput.Cell(clip.ClipId.ToString()),
                    TerminalOutput.Cell(clip.CameraName),
                    TerminalOutput.Cell(statusName, TerminalOutput.StatusColor(statusName)),
                    TerminalOutput.Cell(clip.CreatedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                    TerminalOutput.Cell(alert, alert == "yes" ? Color.Red : null),
                    TerminalOutput.Cell(clip.ViewUrl ?? StoredOrNot(clip)));
            }

            TerminalOutput.Write(table);
        }

        Console.WriteLine($"{clips.Count} clip(s)");
        return 0;
    }

    private static async Task<int> ShowAsync(FileInfo configFile, string clipId, bool json, CancellationToken cancellationToken)
    {
        if (Store(configFile, out var failure) is not { } store)
        {
            return failure;
        }

        ClipRow? clip;
        IReadOnlyList<EventRow> events;
        try
        {
            (clip, events) = await store.Store.ShowAsync(clipId, cancellationToken);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            await Console.Error.WriteLineAsync(Unreachable(store.Config, ex));
            return ExitCodes.Failure;
        }

        if (clip is null)
        {
            await Console.Error.WriteLineAsync($"no clip '{clipId}' in the state store (homesec clips list shows the known ones)");
            return 1;
        }

        if (json)
        {
            using var state = JsonDocument.Parse(clip.Json);
            var history = events.Select(e => new { sequence_nr = e.SequenceNr, type = e.EventType, at = e.At, data = JsonDocument.Parse(e.Json).RootElement });
            Console.WriteLine(JsonSerializer.Serialize(new { clip = state.RootElement, events = history }));
            return 0;
        }

        var s = clip.State;
        var statusName = Status(s.Status);

        // The state as a two-column grid: labels and values line up, and a long value (a summary) wraps in its
        // own column on a terminal instead of under the labels.
        var stateGrid = new Grid().AddColumn(new GridColumn { NoWrap = true }.PadRight(3)).AddColumn();
        void Field(string label, string? value, Color? color = null) =>
            stateGrid.AddRow(TerminalOutput.Cell(label), TerminalOutput.Cell(value, color));
        Field("clip", s.ClipId.ToString());
        Field("camera", s.CameraName);
        Field("status", statusName, TerminalOutput.StatusColor(statusName));
        Field("file", s.LocalPath);
        Field("stored", s.StorageUri ?? StoredOrNot(s));
        Field("view", s.ViewUrl);
        Field("detected", s.Filter is { } f ? (f.DetectedClasses.Count == 0 ? "nothing" : string.Join(", ", f.DetectedClasses)) + $" (model {f.Model})" : null);
        Field("analysis", s.Analysis is { } a ? $"{a.RiskLevel.ToString().ToLowerInvariant()} / {a.ActivityType}: {a.Summary}" : s.VlmSkippedReason);
        Field("alert", s.AlertDecision is { } d ? $"{(d.Notify ? "yes" : "no")}: {d.Reason}" : null);
        Field("notified", s.NotifiedBy.IsEmpty ? null : string.Join(", ", s.NotifiedBy));
        foreach (var error in s.Errors)
        {
            Field("error", $"{error.Stage} ({error.Plugin}): {error.Message}", Color.Red);
        }

        TerminalOutput.Write(stateGrid);
        Console.WriteLine();
        Console.WriteLine("history");
        var historyTable = TerminalOutput.Table("SEQ", "AT (UTC)", "EVENT");
        historyTable.Columns[0].Alignment = Justify.Right;
        foreach (var e in events)
        {
            historyTable.AddRow(
                TerminalOutput.Cell(e.SequenceNr.ToString(CultureInfo.InvariantCulture)),
                TerminalOutput.Cell(e.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)),
                TerminalOutput.Cell(e.EventType));
        }

        TerminalOutput.Write(historyTable);
        return 0;
    }

    internal static DateTimeOffset? ParseSince(string text, DateTimeOffset now)
    {
        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
        {
            TimeSpan? age = text[^1] switch
            {
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (age is { } value)
            {
                return now - value;
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
    }

    private static string Status(HomeSec.Core.Clips.ClipStatus status) => HomeSec.Core.Clips.ClipStatusNames.ToWireName(status);

    private static readonly string[] AllowedStatuses = [.. Enum.GetValues<HomeSec.Core.Clips.ClipStatus>().Select(Status)];

    /// <summary>Only <c>state_store</c> is read: the cameras' environment variables (RTSP URLs, …) need not be set.</summary>
    private static (ClipStore Store, StateStoreConfig Config)? Store(FileInfo configFile, out int failure)
    {
        failure = ExitCodes.Usage;
        StateStoreConfig config;
        try
        {
            config = AppConfigLoader.LoadStateStoreFile(configFile.FullName);
        }
        catch (ConfigException ex)
        {
            ValidateCommand.PrintErrors(configFile, ex, Console.Error);
            return null;
        }

        if (config.Backend == StateStoreBackend.Sqlite && !File.Exists(config.SqlitePath))
        {
            Console.Error.WriteLine($"homesec: no state store at {config.SqlitePath}; state_store.path is relative to the working directory, " +
                "so run this where the daemon runs or make state_store.path absolute.");
            failure = ExitCodes.Failure;
            return null;
        }

        return (ClipStore.For(config), config);
    }

    private static bool IsStoreFailure(Exception exception) =>
        exception is System.Data.Common.DbException or System.Net.Sockets.SocketException or TimeoutException or IOException
        || (exception is InvalidOperationException && exception.Source?.StartsWith("Npgsql", StringComparison.Ordinal) == true);

    private static string Unreachable(StateStoreConfig config, Exception exception) => config.Backend == StateStoreBackend.Postgres
        ? $"homesec: cannot reach the state store (postgres: {HomeSecCli.OneLine(exception.Message)}): is PostgreSQL running, and is state_store.dsn_env's connection string right?"
        : $"homesec: cannot read the state store (sqlite {config.SqlitePath}: {HomeSecCli.OneLine(exception.Message)}): is it a HomeSec state store, and readable?";

    /// <summary>Why a clip has no storage link yet: uploads are retried until stored (journals from before that may say "failed").</summary>
    private static string? StoredOrNot(HomeSec.Core.Clips.ClipState clip) =>
        clip.StorageUri is not null ? null
        : clip.UploadFailed ? "(upload failed)"
        : clip.UploadFailures > 0 ? $"(upload retrying: {clip.UploadFailures} failed)"
        : null;
}
