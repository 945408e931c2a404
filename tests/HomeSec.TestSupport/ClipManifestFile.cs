using System.Text.Json;

namespace HomeSec.TestSupport;

/// <summary>Reads a source's clip manifest (<c>.homesec/manifest.jsonl</c>) the way a restart would.</summary>
public static class ClipManifestFile
{
    /// <summary>The clips the source marked done (what it will never hand over again); empty while there is no manifest.</summary>
    public static HashSet<string> DoneClipIds(string manifestPath)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(manifestPath))
        {
            return done;
        }

        foreach (var line in File.ReadAllLines(manifestPath).Where(l => l.Length > 0))
        {
            try
            {
                using var entry = JsonDocument.Parse(line);
                if (entry.RootElement.GetProperty("op").GetString() == "done")
                {
                    done.Add(entry.RootElement.GetProperty("clip_id").GetString()!);
                }
            }
            catch (JsonException)
            {
                // a line cut short by a kill
            }
        }

        return done;
    }
}
