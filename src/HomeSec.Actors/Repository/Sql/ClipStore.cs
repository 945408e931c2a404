using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using HomeSec.Actors.Serialization;
using HomeSec.Core.Clips;
using HomeSec.Core.Config;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace HomeSec.Actors.Repository.Sql;

/// <summary>
/// The tables people and tools query — <c>clip_states</c> (one row per clip, its state as JSON) and
/// <c>clip_events</c> (its history, in order) — plus the journal's own tables, which HomeSec creates
/// itself (auto-initialize off) so that a database that is down at start makes writes fail fast.
/// The same SQL serves SQLite (JSON as text) and PostgreSQL (jsonb).
/// </summary>
public sealed class ClipStore(StateStoreBackend backend, string connectionString)
{
    public const string ProjectionName = "clip_states";

    public static ClipStore For(StateStoreConfig config) => config.Backend switch
    {
        StateStoreBackend.Postgres => new ClipStore(config.Backend, config.PostgresConnectionString!),
        _ => new ClipStore(config.Backend, new SqliteConnectionStringBuilder { DataSource = config.SqlitePath }.ToString()),
    };

    private bool IsPostgres => backend == StateStoreBackend.Postgres;

    private string Json => IsPostgres ? "jsonb" : "text";

    private string Timestamp => IsPostgres ? "timestamptz" : "text";

    private string JsonField(string column, string field) => IsPostgres ? $"({column}->>'{field}')" : $"json_extract({column}, '$.{field}')";

    /// <summary>
    /// Creates what is missing; safe to run at every start and after every outage. In a process only the
    /// repository calls it; across processes (two daemons, or a CLI, on one PostgreSQL) a transaction-scoped
    /// advisory lock makes them take turns, because concurrent <c>CREATE TABLE IF NOT EXISTS</c> of one table
    /// collide on PostgreSQL's catalog (23505) instead of waiting.
    /// </summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (IsPostgres)
        {
            await using var lockCommand = Command(connection, "SELECT pg_advisory_xact_lock(7306583244719506)");
            lockCommand.Transaction = transaction;
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        var statements = new List<string>(IsPostgres ? PostgresJournalTables : SqliteJournalTables);

        statements.AddRange(
        [
            $"CREATE TABLE IF NOT EXISTS clip_states (clip_id text PRIMARY KEY, data {Json} NOT NULL, last_sequence_nr bigint NOT NULL, created_at {Timestamp} NOT NULL, updated_at {Timestamp} NOT NULL)",
            $"CREATE INDEX IF NOT EXISTS clip_states_status_idx ON clip_states ({JsonField("data", "status")})",
            $"CREATE INDEX IF NOT EXISTS clip_states_camera_idx ON clip_states ({JsonField("data", "camera_name")})",
            "CREATE INDEX IF NOT EXISTS clip_states_created_idx ON clip_states (created_at)",
            $"CREATE TABLE IF NOT EXISTS clip_events (clip_id text NOT NULL, sequence_nr bigint NOT NULL, ordering bigint NOT NULL, event_type text NOT NULL, at {Timestamp} NOT NULL, data {Json} NOT NULL, PRIMARY KEY (clip_id, sequence_nr))",
            "CREATE INDEX IF NOT EXISTS clip_events_ordering_idx ON clip_events (ordering)",
            "CREATE TABLE IF NOT EXISTS projection_offsets (name text PRIMARY KEY, ordering bigint NOT NULL)",
            // Who looked at a clip in the web UI: a person's note about the clip, not a step of its pipeline, so it
            // is kept beside the clip's stream (whose one writer is the clip's supervisor), not in it.
            $"CREATE TABLE IF NOT EXISTS clip_reviews (clip_id text PRIMARY KEY, reviewed_by text NOT NULL, reviewed_at {Timestamp} NOT NULL)",
        ]);
        foreach (var sql in statements)
        {
            await using var command = Command(connection, sql);
            command.Transaction = transaction;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<long> LoadOffsetAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT ordering FROM projection_offsets WHERE name = @name", ("name", ProjectionName));
        return await command.ExecuteScalarAsync(cancellationToken) is { } value ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>
    /// Applies journal events to the tables in one transaction and moves the offset past them. An event
    /// already applied (same clip and sequence number) changes nothing, so replays are harmless. Set-based:
    /// a few statements per batch (rows of up to <see cref="RowsPerStatement"/>), not a few per event.
    /// </summary>
    public async Task ApplyAsync(IReadOnlyList<JournalEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken);
        // Read the clips' current rows before the write transaction: only this projection writes these tables,
        // so they cannot change meanwhile, and on SQLite (one writer) the journal's inserts are not held up
        // behind the reading and JSON parsing.
        var states = await LoadStatesAsync(connection, null, events.Select(e => e.Event.ClipId).Distinct().ToList(), cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var inserted = await InsertEventsAsync(connection, transaction, events, cancellationToken);
        var changed = new HashSet<ClipId>();
        var refold = new HashSet<ClipId>();
        foreach (var item in events.Where(e => inserted.Contains((e.Event.ClipId.Value, e.SequenceNr))))
        {
            var clipId = item.Event.ClipId;
            var (state, lastSequenceNr) = states.GetValueOrDefault(clipId, (ClipState.Empty(clipId), 0));
            changed.Add(clipId);
            if (item.SequenceNr > lastSequenceNr)
            {
                states[clipId] = (state.Apply(item.Event), item.SequenceNr);
            }
            else
            {
                refold.Add(clipId); // arrived after a later event of its clip
            }
        }

        foreach (var clipId in refold)
        {
            states[clipId] = (await RefoldAsync(connection, transaction, clipId, cancellationToken), states[clipId].LastSequenceNr);
        }

        await UpsertStatesAsync(connection, transaction, changed.Select(id => (id, states[id].State, states[id].LastSequenceNr)).ToList(), cancellationToken);
        await using (var offset = Command(connection,
                         "INSERT INTO projection_offsets (name, ordering) VALUES (@name, @ordering) ON CONFLICT (name) DO UPDATE SET ordering = excluded.ordering",
                         ("name", ProjectionName), ("ordering", events.Max(e => e.Ordering))))
        {
            offset.Transaction = transaction;
            await offset.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private const int RowsPerStatement = 500;

    private async Task<Dictionary<ClipId, (ClipState State, long LastSequenceNr)>> LoadStatesAsync(
        DbConnection connection, DbTransaction? transaction, IReadOnlyList<ClipId> clipIds, CancellationToken cancellationToken)
    {
        var states = new Dictionary<ClipId, (ClipState, long)>();
        foreach (var chunk in clipIds.Chunk(RowsPerStatement))
        {
            await using var command = Command(connection,
                $"SELECT clip_id, data, last_sequence_nr FROM clip_states WHERE clip_id IN ({string.Join(", ", chunk.Select((_, i) => $"@c{i}"))})",
                chunk.Select((id, i) => ($"c{i}", (object)id.Value)).ToArray());
            command.Transaction = transaction;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var clipId = ClipId.Parse(reader.GetString(0));
                states[clipId] = (JsonSerializer.Deserialize<ClipState>(reader.GetString(1), ClipEventSerializer.JsonOptions) ?? ClipState.Empty(clipId), reader.GetInt64(2));
            }
        }

        return states;
    }

    /// <summary>Inserts the rows that are new and says which they were (clip id, sequence number).</summary>
    private async Task<HashSet<(string ClipId, long SequenceNr)>> InsertEventsAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<JournalEvent> events, CancellationToken cancellationToken)
    {
        var inserted = new HashSet<(string, long)>();
        foreach (var chunk in events.Chunk(RowsPerStatement))
        {
            var rows = new List<string>(chunk.Length);
            var parameters = new List<(string, object)>(chunk.Length * 6);
            for (var i = 0; i < chunk.Length; i++)
            {
                var evt = chunk[i].Event;
                rows.Add($"(@c{i}, @s{i}, @o{i}, @t{i}, @a{i}, {JsonParameter($"d{i}")})");
                parameters.AddRange(
                [
                    ($"c{i}", evt.ClipId.Value), ($"s{i}", chunk[i].SequenceNr), ($"o{i}", chunk[i].Ordering),
                    ($"t{i}", ClipEvents.WireNames[evt.GetType()]), ($"a{i}", TimestampValue(evt.At)),
                    ($"d{i}", JsonSerializer.Serialize(evt, evt.GetType(), ClipEventSerializer.JsonOptions)),
                ]);
            }

            await using var command = Command(connection,
                $"INSERT INTO clip_events (clip_id, sequence_nr, ordering, event_type, at, data) VALUES {string.Join(", ", rows)} " +
                "ON CONFLICT (clip_id, sequence_nr) DO NOTHING RETURNING clip_id, sequence_nr",
                [.. parameters]);
            command.Transaction = transaction;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                inserted.Add((reader.GetString(0), reader.GetInt64(1)));
            }
        }

        return inserted;
    }

    private async Task UpsertStatesAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<(ClipId ClipId, ClipState State, long LastSequenceNr)> states, CancellationToken cancellationToken)
    {
        foreach (var chunk in states.Chunk(RowsPerStatement))
        {
            var rows = new List<string>(chunk.Length);
            var parameters = new List<(string, object)>(chunk.Length * 5);
            for (var i = 0; i < chunk.Length; i++)
            {
                var (clipId, state, lastSequenceNr) = chunk[i];
                rows.Add($"(@c{i}, {JsonParameter($"d{i}")}, @s{i}, @cr{i}, @u{i})");
                parameters.AddRange(
                [
                    ($"c{i}", clipId.Value), ($"d{i}", JsonSerializer.Serialize(state, ClipEventSerializer.JsonOptions)), ($"s{i}", lastSequenceNr),
                    ($"cr{i}", TimestampValue(state.CreatedAt ?? DateTimeOffset.UnixEpoch)), ($"u{i}", TimestampValue(state.UpdatedAt ?? DateTimeOffset.UnixEpoch)),
                ]);
            }

            await using var command = Command(connection,
                $"INSERT INTO clip_states (clip_id, data, last_sequence_nr, created_at, updated_at) VALUES {string.Join(", ", rows)} " +
                "ON CONFLICT (clip_id) DO UPDATE SET data = excluded.data, last_sequence_nr = excluded.last_sequence_nr, updated_at = excluded.updated_at",
                [.. parameters]);
            command.Transaction = transaction;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task<IReadOnlyList<ClipRow>> ListAsync(string? camera, string? status, DateTimeOffset? since, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var filters = new List<string>();
        var parameters = new List<(string, object)> { ("limit", limit) };
        if (camera is not null)
        {
            filters.Add($"{JsonField("data", "camera_name")} = @camera");
            parameters.Add(("camera", camera));
        }

        if (status is not null)
        {
            filters.Add($"{JsonField("data", "status")} = @status");
            parameters.Add(("status", status));
        }

        if (since is { } from)
        {
            filters.Add("created_at >= @since");
            parameters.Add(("since", TimestampValue(from)));
        }

        var where = filters.Count == 0 ? "" : "WHERE " + string.Join(" AND ", filters);
        await using var command = Command(connection, $"SELECT data FROM clip_states {where} ORDER BY created_at DESC, clip_id LIMIT @limit", [.. parameters]);
        var rows = new List<ClipRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ClipRow(JsonSerializer.Deserialize<ClipState>(reader.GetString(0), ClipEventSerializer.JsonOptions)!, reader.GetString(0)));
        }

        return rows;
    }

    /// <summary>
    /// The web UI's review list, newest first: clips matching every filter given, recorded before <see cref="ReviewQuery.Before"/>
    /// (the cursor of the next page) or after <see cref="ReviewQuery.After"/> (new arrivals), with who reviewed each.
    /// </summary>
    public async Task<IReadOnlyList<ReviewRow>> ReviewAsync(ReviewQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var filters = new List<string>();
        var parameters = new List<(string, object)> { ("limit", query.Limit) };
        if (query.Camera is not null)
        {
            filters.Add($"{JsonField("s.data", "camera_name")} = @camera");
            parameters.Add(("camera", query.Camera));
        }

        if (query.Risk is not null)
        {
            filters.Add(IsPostgres ? "(s.data->'analysis'->>'risk_level') = @risk" : "json_extract(s.data, '$.analysis.risk_level') = @risk");
            parameters.Add(("risk", query.Risk));
        }

        if (query.DetectedClass is not null)
        {
            filters.Add(IsPostgres
                ? "(s.data->'filter'->'detected_classes') ? @class"
                : "EXISTS (SELECT 1 FROM json_each(s.data, '$.filter.detected_classes') WHERE value = @class)");
            parameters.Add(("class", query.DetectedClass));
        }

        if (query.AlertedOnly)
        {
            filters.Add(IsPostgres ? "(s.data->'alert_decision'->>'notify') = 'true'" : "json_extract(s.data, '$.alert_decision.notify') = 1");
        }

        if (query.UnreviewedOnly)
        {
            filters.Add("r.clip_id IS NULL");
        }

        if (query.Since is { } since)
        {
            filters.Add("s.created_at >= @since");
            parameters.Add(("since", TimestampValue(since)));
        }

        if (query.Before is { } before)
        {
            filters.Add("(s.created_at < @before OR (s.created_at = @before AND s.clip_id > @beforeId))");
            parameters.Add(("before", TimestampValue(before.CreatedAt)));
            parameters.Add(("beforeId", before.ClipId));
        }

        if (query.After is { } after)
        {
            filters.Add("s.created_at > @after");
            parameters.Add(("after", TimestampValue(after)));
        }

        if (query.ClipId is not null)
        {
            filters.Add("s.clip_id = @clipId");
            parameters.Add(("clipId", query.ClipId));
        }

        var where = filters.Count == 0 ? "" : "WHERE " + string.Join(" AND ", filters);
        await using var command = Command(connection,
            $"SELECT s.data, s.created_at, r.reviewed_by, r.reviewed_at FROM clip_states s LEFT JOIN clip_reviews r ON r.clip_id = s.clip_id {where} " +
            "ORDER BY s.created_at DESC, s.clip_id LIMIT @limit",
            [.. parameters]);
        var rows = new List<ReviewRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var state = JsonSerializer.Deserialize<ClipState>(reader.GetString(0), ClipEventSerializer.JsonOptions)!;
            rows.Add(new ReviewRow(state, ReadTimestamp(reader, 1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : ReadTimestamp(reader, 3)));
        }

        return rows;
    }

    /// <summary>Notes that a person reviewed the clip (again: the latest review counts).</summary>
    public async Task MarkReviewedAsync(string clipId, string reviewedBy, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "INSERT INTO clip_reviews (clip_id, reviewed_by, reviewed_at) VALUES (@clip, @by, @at) " +
            "ON CONFLICT (clip_id) DO UPDATE SET reviewed_by = excluded.reviewed_by, reviewed_at = excluded.reviewed_at",
            ("clip", clipId), ("by", reviewedBy), ("at", TimestampValue(at)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Clips with events the projection applied after journal position <paramref name="afterOrdering"/> (what the web UI's
    /// live feed polls) and the position to continue from. Journal order, not event time: events spooled while the
    /// database was down arrive later with their old times.
    /// </summary>
    public async Task<(IReadOnlyList<(string ClipId, DateTimeOffset CreatedAt)> Clips, long Ordering)> ChangedAfterAsync(long afterOrdering, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT e.clip_id, max(e.ordering), s.created_at FROM clip_events e JOIN clip_states s ON s.clip_id = e.clip_id " +
            "WHERE e.ordering > @after GROUP BY e.clip_id, s.created_at ORDER BY max(e.ordering) LIMIT 500",
            ("after", afterOrdering));
        var clips = new List<(string, DateTimeOffset)>();
        var ordering = afterOrdering;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            clips.Add((reader.GetString(0), ReadTimestamp(reader, 2)));
            ordering = Math.Max(ordering, reader.GetInt64(1));
        }

        return (clips, ordering);
    }

    /// <summary>The highest journal position the query tables hold.</summary>
    public async Task<long> LatestOrderingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT COALESCE(max(ordering), 0) FROM clip_events");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private DateTimeOffset ReadTimestamp(DbDataReader reader, int column) =>
        IsPostgres
            ? new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(column), DateTimeKind.Utc))
            : DateTimeOffset.Parse(reader.GetString(column), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>Every finished clip that still has a copy (status done or error), for retention; read in one pass, oldest first.</summary>
    public async Task<IReadOnlyList<ClipState>> FinishedClipsAsync(string? camera, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var parameters = new List<(string, object)> { ("done", "done"), ("error", "error") };
        var where = $"{JsonField("data", "status")} IN (@done, @error)";
        if (camera is not null)
        {
            where += $" AND {JsonField("data", "camera_name")} = @camera";
            parameters.Add(("camera", camera));
        }

        await using var command = Command(connection, $"SELECT data FROM clip_states WHERE {where} ORDER BY created_at, clip_id", [.. parameters]);
        var states = new List<ClipState>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            states.Add(JsonSerializer.Deserialize<ClipState>(reader.GetString(0), ClipEventSerializer.JsonOptions)!);
        }

        return states;
    }

    /// <summary>The states of these clips (those clip_states has).</summary>
    public async Task<IReadOnlyList<ClipState>> StatesAsync(IReadOnlyList<ClipId> clipIds, CancellationToken cancellationToken)
    {
        if (clipIds.Count == 0)
        {
            return [];
        }

        await using var connection = await OpenAsync(cancellationToken);
        var states = await LoadStatesAsync(connection, null, clipIds, cancellationToken);
        return [.. states.Values.Select(s => s.State)];
    }

    /// <summary>True once the projection has applied every event the journal holds (what a CLI waits for before it exits).</summary>
    public async Task<bool> ProjectionCaughtUpAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT (SELECT COALESCE(max(ordering), 0) FROM journal) <= COALESCE((SELECT ordering FROM projection_offsets WHERE name = @name), 0)",
            ("name", ProjectionName));
        return Convert.ToBoolean(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public async Task<(ClipRow? Clip, IReadOnlyList<EventRow> Events)> ShowAsync(string clipId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        ClipRow? clip = null;
        await using (var command = Command(connection, "SELECT data FROM clip_states WHERE clip_id = @clip", ("clip", clipId)))
        {
            if (await command.ExecuteScalarAsync(cancellationToken) is string json)
            {
                clip = new ClipRow(JsonSerializer.Deserialize<ClipState>(json, ClipEventSerializer.JsonOptions)!, json);
            }
        }

        var events = new List<EventRow>();
        await using (var command = Command(connection, "SELECT sequence_nr, event_type, at, data FROM clip_events WHERE clip_id = @clip ORDER BY sequence_nr", ("clip", clipId)))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var when = IsPostgres ? new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero) : DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture);
                events.Add(new EventRow(reader.GetInt64(0), reader.GetString(1), when, reader.GetString(3)));
            }
        }

        return (clip, events);
    }

    /// <summary>The highest journal sequence number of each persistence id that has events (absent: none).</summary>
    public async Task<IReadOnlyDictionary<string, long>> HighestSequenceNrsAsync(IReadOnlyCollection<string> persistenceIds, CancellationToken cancellationToken)
    {
        var highest = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var connection = await OpenAsync(cancellationToken);
        foreach (var chunk in persistenceIds.Chunk(500))
        {
            var names = chunk.Select((_, i) => $"@p{i}").ToList();
            await using var command = Command(connection,
                $"SELECT persistence_id, max(sequence_number) FROM journal WHERE persistence_id IN ({string.Join(", ", names)}) GROUP BY persistence_id",
                chunk.Select((id, i) => ($"p{i}", (object)id)).ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                highest[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        return highest;
    }

    /// <summary>True when the database answers a trivial query.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>An event that arrived after a later one of its clip: fold the clip again from its rows, in order.</summary>
    private async Task<ClipState> RefoldAsync(DbConnection connection, DbTransaction transaction, ClipId clipId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, "SELECT event_type, data FROM clip_events WHERE clip_id = @clip ORDER BY sequence_nr", ("clip", clipId.Value));
        command.Transaction = transaction;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var state = ClipState.Empty(clipId);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (ClipEventSerializer.TryTypeOf(reader.GetString(0), out var type) &&
                JsonSerializer.Deserialize(reader.GetString(1), type, ClipEventSerializer.JsonOptions) is IClipEvent evt)
            {
                state = state.Apply(evt);
            }
        }

        return state;
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        DbConnection connection = IsPostgres ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private string JsonParameter(string name) => IsPostgres ? $"CAST(@{name} AS jsonb)" : $"@{name}";

    private object TimestampValue(DateTimeOffset value) =>
        IsPostgres ? value.UtcDateTime : value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>Akka.Persistence.Sql 1.5.73's own SQLite tables (what its auto-initialize creates with tag-write-mode Csv), made idempotent.</summary>
    private static readonly string[] SqliteJournalTables =
    [
        """
        CREATE TABLE IF NOT EXISTS journal (
            ordering INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            created INTEGER NOT NULL,
            deleted Bit NOT NULL,
            persistence_id NVarChar(255) NOT NULL,
            sequence_number INTEGER NOT NULL,
            message VarBinary NOT NULL,
            tags NVarChar(100) NULL,
            manifest NVarChar(500) NULL,
            identifier INTEGER NULL,
            writer_uuid NVarChar(128) NULL)
        """,
        "CREATE UNIQUE INDEX IF NOT EXISTS journal_uq ON journal (persistence_id, sequence_number)",
        "CREATE INDEX IF NOT EXISTS journal_created_idx ON journal (created)",
        "CREATE INDEX IF NOT EXISTS journal_sequence_number_idx ON journal (sequence_number)",
        """
        CREATE TABLE IF NOT EXISTS snapshot (
            persistence_id NVarChar(255) NOT NULL,
            sequence_number INTEGER NOT NULL,
            created INTEGER NOT NULL,
            snapshot VarBinary NULL,
            manifest NVarChar(500) NULL,
            serializer_id INTEGER NULL,
            CONSTRAINT PK_snapshot PRIMARY KEY (persistence_id, sequence_number))
        """,
        "CREATE INDEX IF NOT EXISTS snapshot_sequence_number_idx ON snapshot (sequence_number)",
        "CREATE INDEX IF NOT EXISTS snapshot_created_idx ON snapshot (created)",
    ];

    /// <summary>Akka.Persistence.Sql 1.5.73's own PostgreSQL tables (what its auto-initialize creates), made idempotent.</summary>
    private static readonly string[] PostgresJournalTables =
    [
        """
        CREATE TABLE IF NOT EXISTS journal (
            ordering bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            created bigint NOT NULL,
            deleted boolean NOT NULL,
            persistence_id text NOT NULL,
            sequence_number bigint NOT NULL,
            message bytea NOT NULL,
            tags text,
            manifest text,
            identifier integer,
            writer_uuid text,
            CONSTRAINT journal_uq UNIQUE (persistence_id, sequence_number))
        """,
        "CREATE INDEX IF NOT EXISTS journal_created_idx ON journal (created)",
        "CREATE INDEX IF NOT EXISTS journal_sequence_number_idx ON journal (sequence_number)",
        """
        CREATE TABLE IF NOT EXISTS snapshot (
            persistence_id text NOT NULL,
            sequence_number bigint NOT NULL,
            created bigint NOT NULL,
            snapshot bytea,
            manifest text,
            serializer_id integer,
            CONSTRAINT "PK_snapshot" PRIMARY KEY (persistence_id, sequence_number))
        """,
        "CREATE INDEX IF NOT EXISTS snapshot_created_idx ON snapshot (created)",
        "CREATE INDEX IF NOT EXISTS snapshot_sequence_number_idx ON snapshot (sequence_number)",
    ];
}

/// <summary>One event read from the journal, with its global ordering and per-clip sequence number.</summary>
public sealed record JournalEvent(long Ordering, long SequenceNr, IClipEvent Event);

public sealed record ClipRow(ClipState State, string Json);

/// <summary>Where the next page of the review list starts: the last row shown.</summary>
public sealed record ReviewCursor(DateTimeOffset CreatedAt, string ClipId);

/// <summary>Filters of the review list; null or false: not filtered.</summary>
public sealed record ReviewQuery(
    string? Camera = null,
    string? Risk = null,
    string? DetectedClass = null,
    bool AlertedOnly = false,
    bool UnreviewedOnly = false,
    DateTimeOffset? Since = null,
    ReviewCursor? Before = null,
    DateTimeOffset? After = null,
    string? ClipId = null,
    int Limit = 50);

/// <summary>A clip in the review list; <see cref="CreatedAt"/> is its list position (the cursor).</summary>
public sealed record ReviewRow(ClipState State, DateTimeOffset CreatedAt, string? ReviewedBy, DateTimeOffset? ReviewedAt);

public sealed record EventRow(long SequenceNr, string EventType, DateTimeOffset At, string Json);
