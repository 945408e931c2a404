using System.Text.Json;
using System.Text.Json.Serialization;

namespace HomeSec.Core.Clips;

/// <summary>
/// An append-only JSON-lines file of the clips a source (local folder, FTP, RTSP) handed over and which of them the
/// pipeline finished. Each line is flushed to disk before the clip is handed over, so a crash never
/// loses a clip nor hands one over twice once it was finished. Compacted when opened.
/// Thread-safe: a source's watch loop and the pipeline's "processed" calls use it at the same time, so
/// the lock lives here rather than in every source (appends take turns; lookups see whole entries).
/// </summary>
public sealed class ClipManifest : IAsyncDisposable
{
    private readonly string _path;
    private readonly Dictionary<string, Entry> _byFile = new(StringComparer.Ordinal);
    private readonly Dictionary<ClipId, Entry> _byClip = [];
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _entries = new();
    private FileStream? _stream;

    private ClipManifest(string path) => _path = path;

    public static async Task<ClipManifest> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var manifest = new ClipManifest(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path))
        {
            foreach (var line in await File.ReadAllLinesAsync(path, cancellationToken))
            {
                manifest.Load(line);
            }
        }

        await manifest.CompactAsync(cancellationToken);
        return manifest;
    }

    /// <summary>Handed over, not yet finished: to hand over again after a restart.</summary>
    public IReadOnlyList<Entry> Pending
    {
        get
        {
            lock (_entries)
            {
                return _byClip.Values.Where(e => !e.Done).OrderBy(e => e.ClipId.Value, StringComparer.Ordinal).ToList();
            }
        }
    }

    public bool Knows(string filePath, long size, DateTimeOffset modifiedAt)
    {
        lock (_entries)
        {
            return _byFile.TryGetValue(filePath, out var entry) && entry.Size == size && entry.ModifiedAt == modifiedAt;
        }
    }

    public bool HasClip(ClipId clipId)
    {
        lock (_entries)
        {
            return _byClip.ContainsKey(clipId);
        }
    }

    /// <summary>The entry of a file handed over and not yet done, if any.</summary>
    public Entry? PendingFor(string filePath)
    {
        lock (_entries)
        {
            return _byFile.TryGetValue(filePath, out var entry) && !entry.Done ? entry : null;
        }
    }

    public async Task AddAsync(Entry entry, CancellationToken cancellationToken)
    {
        await AppendAsync(new Line("handed_over", entry.ClipId, entry.FilePath, entry.Size, entry.ModifiedAt, entry.Duration?.TotalSeconds), cancellationToken);
        lock (_entries)
        {
            Remember(entry);
        }
    }

    public async Task MarkDoneAsync(ClipId clipId, CancellationToken cancellationToken)
    {
        await AppendAsync(new Line("done", clipId, null, null, null), cancellationToken);
        lock (_entries)
        {
            if (_byClip.TryGetValue(clipId, out var entry))
            {
                Remember(entry with { Done = true });
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _writeLock.Dispose();
    }

    private async Task AppendAsync(Line line, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(line, JsonOptions);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            _stream ??= new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
            await _stream.WriteAsync(bytes, cancellationToken);
            await _stream.WriteAsync("\n"u8.ToArray(), cancellationToken);
            await _stream.FlushAsync(cancellationToken);
            _stream.Flush(flushToDisk: true);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void Load(string text)
    {
        Line? line;
        try
        {
            line = JsonSerializer.Deserialize<Line>(text, JsonOptions);
        }
        catch (JsonException)
        {
            return; // a line cut short by a crash: the clip it announced was never handed over
        }

        switch (line)
        {
            case { Op: "handed_over", FilePath: { } file, Size: { } size, ModifiedAt: { } modified }:
                Remember(new Entry(line.ClipId, file, size, modified, Done: false, line.DurationS is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : null));
                break;
            case { Op: "done" } when _byClip.TryGetValue(line.ClipId, out var entry):
                Remember(entry with { Done = true });
                break;
        }
    }

    /// <summary>Keeps pending clips and finished clips whose file is still there (so it is not taken again).</summary>
    private async Task CompactAsync(CancellationToken cancellationToken)
    {
        foreach (var gone in _byClip.Values.Where(e => e.Done && !File.Exists(e.FilePath)).ToList())
        {
            _byClip.Remove(gone.ClipId);
            _byFile.Remove(gone.FilePath);
        }

        var temp = _path + ".tmp";
        await using (var writer = new StreamWriter(temp, append: false))
        {
            foreach (var entry in _byClip.Values)
            {
                await writer.WriteLineAsync(JsonSerializer.Serialize(new Line("handed_over", entry.ClipId, entry.FilePath, entry.Size, entry.ModifiedAt, entry.Duration?.TotalSeconds), JsonOptions).AsMemory(), cancellationToken);
                if (entry.Done)
                {
                    await writer.WriteLineAsync(JsonSerializer.Serialize(new Line("done", entry.ClipId, null, null, null), JsonOptions).AsMemory(), cancellationToken);
                }
            }

            await writer.FlushAsync(cancellationToken);
            ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
        }

        File.Move(temp, _path, overwrite: true);
    }

    private void Remember(Entry entry)
    {
        _byFile[entry.FilePath] = entry;
        _byClip[entry.ClipId] = entry;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <param name="Duration">The video's length as ffprobe read it; null when unknown (no ffprobe, or a manifest written before it was kept).</param>
    public sealed record Entry(ClipId ClipId, string FilePath, long Size, DateTimeOffset ModifiedAt, bool Done, TimeSpan? Duration = null)
    {
        /// <summary>
        /// The clip as the pipeline sees it. A file's mtime is its last write, i.e. when the recording (or its upload) ended,
        /// so the clip ends there and starts its duration earlier; ending at mtime + duration would put the end of a clip
        /// that is already complete in the future. Without a known duration start and end are both the mtime.
        /// </summary>
        public RecordedClip ToClip(string cameraName, bool resumed) =>
            new(ClipId, cameraName, FilePath, ModifiedAt - (Duration ?? TimeSpan.Zero), ModifiedAt, Size, resumed);
    }

    private sealed record Line(string Op, ClipId ClipId, string? FilePath, long? Size, DateTimeOffset? ModifiedAt, double? DurationS = null);
}
