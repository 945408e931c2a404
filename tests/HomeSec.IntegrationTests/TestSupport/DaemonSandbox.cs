using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>A temporary home for one daemon: its config, watched folder, storage, alerts file and database.</summary>
public sealed class DaemonSandbox : IDisposable
{
    public const string DsnVariable = "HOMESEC_TEST_DSN";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string? _postgresConnectionString;
    private int _clipCounter;

    public DaemonSandbox(string? postgresConnectionString = null, int maxClipsInFlight = 4)
    {
        _postgresConnectionString = postgresConnectionString;
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(WatchDir);
        File.WriteAllText(ConfigFile, Config(maxClipsInFlight));
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"homesec-sandbox-{Guid.NewGuid():N}");

    public int HealthPort { get; } = DaemonProcess.FreeTcpPort();

    public string WatchDir => Path.Combine(Root, "incoming", "front_door");

    public string StorageDir => Path.Combine(Root, "storage", "front_door");

    public string AlertsFile => Path.Combine(Root, "alerts.jsonl");

    public string ConfigFile => Path.Combine(Root, "homesec.yaml");

    private string SqliteFile => Path.Combine(Root, "homesec.db");

    public string LocalStateDir => Path.Combine(Root, "state");

    /// <summary>
    /// A client of the daemon's JSON API with the CLI token the daemon writes at start (the API needs a login or a
    /// token); call it once the daemon answers.
    /// </summary>
    public HttpClient ApiClient()
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HealthPort}"), Timeout = TimeSpan.FromSeconds(10) };
        if (HomeSec.Core.Web.Credentials.ReadCliToken(LocalStateDir) is { } token)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    public DaemonProcess StartDaemon() => DaemonProcess.Start(Root, Environment(), "run", "--config", ConfigFile);

    /// <summary>Starts the daemon as the child of <paramref name="parent"/> (see <see cref="DaemonProcess.StartUnder"/>).</summary>
    public DaemonProcess StartDaemonUnder(string parent) => DaemonProcess.StartUnder(parent, Root, Environment(), "run", "--config", ConfigFile);

    /// <summary>Runs a homesec command (e.g. <c>clips list</c>) against this sandbox's config, to the end.</summary>
    public Task<(int ExitCode, string Output)> RunCliAsync(params string[] arguments) =>
        DaemonProcess.RunToEndAsync(Root, Environment(), [.. arguments, "--config", ConfigFile]);

    /// <summary>Runs a homesec command with <paramref name="standardInput"/> typed into it (e.g. <c>user add --password-stdin</c>).</summary>
    public Task<(int ExitCode, string Output)> RunCliWithInputAsync(string standardInput, params string[] arguments) =>
        DaemonProcess.RunToEndWithInputAsync(Root, Environment(), standardInput, [.. arguments, "--config", ConfigFile]);

    /// <summary>Adds top-level sections to the config (e.g. <c>web:</c>) before the daemon starts.</summary>
    public void AppendConfig(string yaml) => File.AppendAllText(ConfigFile, "\n" + yaml.TrimEnd() + "\n");

    /// <summary>More environment variables for the daemon (e.g. a camera's URL).</summary>
    public Dictionary<string, string> ExtraEnvironment { get; } = new(StringComparer.Ordinal);

    private Dictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>(ExtraEnvironment, StringComparer.Ordinal);
        if (_postgresConnectionString is not null)
        {
            environment[DsnVariable] = _postgresConnectionString;
        }

        return environment;
    }

    /// <summary>Copies a real MP4 into the watched folder under a new name (renamed in, as an uploader finishing a file).</summary>
    /// <returns>The names the clips got in the watched folder.</returns>
    public async Task<IReadOnlyList<string>> DropClipsAsync(string sourceClip, int count)
    {
        var names = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var name = $"clip-{Interlocked.Increment(ref _clipCounter):D4}.mp4";
            var staging = Path.Combine(Root, name + ".partial");
            File.Copy(sourceClip, staging);
            File.SetLastWriteTimeUtc(staging, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(_clipCounter));
            File.Move(staging, Path.Combine(WatchDir, name));
            names.Add(name);
            await Task.Yield();
        }

        return names;
    }

    public List<JsonElement> Alerts() => File.Exists(AlertsFile)
        ? File.ReadAllLines(AlertsFile).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList()
        : [];

    public Task WaitForAlertedClipsAsync(DaemonProcess daemon, int count) =>
        Eventually.WaitForAsync(() => Alerts().Select(a => a.GetProperty("clip_id").GetString()).Distinct().Count() >= count,
            Patience, $"alerts for {count} clips", () => daemon.Output);

    public async Task<JsonElement> WaitForHealthAsync(DaemonProcess daemon, Func<JsonElement, bool> condition, string what)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var found = await Eventually.WaitForAsync(async () =>
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{HealthPort}/health"));
                var health = await response.Content.ReadFromJsonAsync<JsonElement>();
                return health.ValueKind == JsonValueKind.Object && health.TryGetProperty("state_store", out _) && condition(health) ? new Box(health) : null;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                return null;
            }
        }, Patience, what, () => daemon.Output);
        return found.Value;
    }

    /// <summary>The clip_events rows per clip: event types in sequence order, and whether the sequence numbers run 1..n.</summary>
    public Dictionary<string, List<(long SequenceNr, string EventType)>> ClipEvents()
    {
        const string sql = "SELECT clip_id, sequence_nr, event_type FROM clip_events ORDER BY clip_id, sequence_nr";
        var result = new Dictionary<string, List<(long, string)>>();
        try
        {
            if (_postgresConnectionString is not null)
            {
                using var connection = new NpgsqlConnection(_postgresConnectionString);
                connection.Open();
                using var command = new NpgsqlCommand(sql, connection);
                using var reader = command.ExecuteReader();
                Read(reader, result);
            }
            else
            {
                using var connection = new SqliteConnection($"Data Source={SqliteFile};Mode=ReadOnly");
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                using var reader = command.ExecuteReader();
                Read(reader, result);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or SqliteException)
        {
            return [];
        }

        return result;
    }

    /// <summary>The clips the folder source marked done in its manifest (what it will never hand over again).</summary>
    public HashSet<string> ManifestDone() => ClipManifestFile.DoneClipIds(Path.Combine(WatchDir, ".homesec", "manifest.jsonl"));

    /// <summary>The clips whose journal stream holds clip_completed (read from the journal table itself, not the projection).</summary>
    public HashSet<string> JournalCompleted()
    {
        const string sql = "SELECT persistence_id FROM journal WHERE manifest = 'clip_completed'";
        var completed = new HashSet<string>(StringComparer.Ordinal);
        using System.Data.Common.DbConnection connection = _postgresConnectionString is not null
            ? new NpgsqlConnection(_postgresConnectionString)
            : new SqliteConnection($"Data Source={SqliteFile};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            completed.Add(reader.GetString(0)["clip-".Length..]);
        }

        return completed;
    }

    /// <summary>The journal's event manifests of one clip, in sequence order (SQLite sandboxes).</summary>
    public List<string> JournalManifests(string clipId)
    {
        using var connection = new SqliteConnection($"Data Source={SqliteFile};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'journal'";
        if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
        {
            return [];
        }

        command.CommandText = "SELECT manifest FROM journal WHERE persistence_id = $id ORDER BY sequence_number";
        command.Parameters.AddWithValue("$id", "clip-" + clipId);
        using var reader = command.ExecuteReader();
        var manifests = new List<string>();
        while (reader.Read())
        {
            manifests.Add(reader.GetString(0));
        }

        return manifests;
    }

    /// <summary>Rewrites the config file, e.g. to break it on purpose.</summary>
    public void EditConfig(Func<string, string> edit) => File.WriteAllText(ConfigFile, edit(File.ReadAllText(ConfigFile)));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        Directory.Delete(Root, recursive: true);
    }

    private static void Read(System.Data.Common.DbDataReader reader, Dictionary<string, List<(long, string)>> result)
    {
        while (reader.Read())
        {
            var clipId = reader.GetString(0);
            if (!result.TryGetValue(clipId, out var events))
            {
                result[clipId] = events = [];
            }

            events.Add((reader.GetInt64(1), reader.GetString(2)));
        }
    }

    private string Config(int maxClipsInFlight) => $"""
        cameras:
          - name: front_door
            source:
              type: local_folder
              config:
                watch_dir: {WatchDir}
                poll_interval_s: 0.2
                stability_threshold_s: 0.3
        storage:
          backend: local
          config:
            root: {Path.Combine(Root, "storage")}
        state_store:
          backend: {(_postgresConnectionString is null ? "sqlite" : "postgres")}
          {(_postgresConnectionString is null ? $"path: {SqliteFile}" : $"dsn_env: {DsnVariable}")}
          local_state_dir: {LocalStateDir}
        notifiers:
          - backend: log
            config:
              path: {AlertsFile}
        alert_policy:
          backend: default
          config:
            min_risk_level: medium
            notify_on_motion: true
        concurrency:
          max_clips_in_flight: {maxClipsInFlight.ToString(CultureInfo.InvariantCulture)}
        retry:
          max_attempts: 3
          backoff_s: 0.2
        health:
          host: 127.0.0.1
          port: {HealthPort.ToString(CultureInfo.InvariantCulture)}
        """;

    private sealed record Box(JsonElement Value);
}
