using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace HomeSec.TestSupport;

/// <summary>Reads the <c>clip_states</c> projection of a SQLite state store, as people and the CLI query it.</summary>
public static class ClipStatesTable
{
    /// <summary>
    /// Every row's <c>data</c>; empty while the file or the table does not exist yet. Opened read-only and
    /// unpooled: the daemon keeps writing the file, and a pooled connection would keep it open after the test.
    /// </summary>
    public static IReadOnlyList<JsonElement> Read(string sqliteFile)
    {
        var states = new List<JsonElement>();
        try
        {
            using var connection = new SqliteConnection($"Data Source={sqliteFile};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT data FROM clip_states";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                using var document = JsonDocument.Parse(reader.GetString(0));
                states.Add(document.RootElement.Clone());
            }
        }
        catch (SqliteException)
        {
            // not created yet
        }

        return states;
    }

    /// <summary>The rows by <c>local_path</c> (the file a test dropped), leaving out any without one.</summary>
    public static Dictionary<string, JsonElement> ByLocalPath(string sqliteFile)
    {
        var states = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var state in Read(sqliteFile))
        {
            if (state.TryGetProperty("local_path", out var path) && path.ValueKind == JsonValueKind.String)
            {
                states[path.GetString()!] = state;
            }
        }

        return states;
    }
}
