using System.Text.Json;
using HomeSec.Actors.Serialization;
using HomeSec.Core.Clips;

namespace HomeSec.Actors.Repository;

/// <summary>
/// Clip events waiting on local disk while the journal's database is unreachable, in arrival order.
/// An append-only JSON-lines file plus a small "acknowledged up to" file: written to the OS on every
/// append (a killed process loses nothing) and forced to disk by <see cref="Sync"/>. Bounded: past
/// <c>maxEvents</c> new events are refused and counted. Not thread-safe: owned by one actor.
/// </summary>
public sealed class EventSpool : IDisposable
{
    private readonly string _eventsPath;
    private readonly string _ackPath;
    private readonly int _maxEvents;
    private readonly LinkedList<SpooledEvent> _waiting = new();
    private FileStream _events;
    private long _nextSequence;

    public EventSpool(string folder, int maxEvents)
    {
        Directory.CreateDirectory(folder);
        _eventsPath = Path.Combine(folder, "events.jsonl");
        _ackPath = Path.Combine(folder, "acknowledged");
        _maxEvents = maxEvents;
        var acknowledged = File.Exists(_ackPath) && long.TryParse(File.ReadAllText(_ackPath), out var ack) ? ack : 0;
        Load(acknowledged);
        _events = OpenForAppend();
    }

    public int Count => _waiting.Count;

    public long Dropped { get; private set; }

    public bool IsEmpty => _waiting.Count == 0;

    public long? FirstSequence => _waiting.First?.Value.Sequence;

    /// <summary>False when the spool is full: the event is dropped (and counted).</summary>
    public bool TryAppend(IClipEvent evt)
    {
        if (_waiting.Count >= _maxEvents)
        {
            Dropped++;
            return false;
        }

        var spooled = new SpooledEvent(++_nextSequence, evt);
        var line = new SpoolLine(spooled.Sequence, ClipEvents.WireNames[evt.GetType()],
            JsonSerializer.SerializeToElement(evt, evt.GetType(), ClipEventSerializer.JsonOptions));
        _events.Write(JsonSerializer.SerializeToUtf8Bytes(line, LineOptions));
        _events.WriteByte((byte)'\n');
        _events.Flush(flushToDisk: false);
        _waiting.AddLast(spooled);
        return true;
    }

    /// <summary>The oldest waiting events, in order, not yet handed out since the last <see cref="Rewind"/>.</summary>
    public IReadOnlyList<SpooledEvent> Take(int max, long afterSequence) =>
        _waiting.Where(e => e.Sequence > afterSequence).Take(max).ToList();

    /// <summary>Every event up to and including <paramref name="sequence"/> is in the journal.</summary>
    public void AcknowledgeThrough(long sequence)
    {
        while (_waiting.First is { } first && first.Value.Sequence <= sequence)
        {
            _waiting.RemoveFirst();
        }

        if (_waiting.Count == 0)
        {
            _events.Dispose();
            File.Delete(_eventsPath);
            File.Delete(_ackPath);
            _events = OpenForAppend();
            return;
        }

        File.WriteAllText(_ackPath, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public void Sync() => _events.Flush(flushToDisk: true);

    public void Dispose() => _events.Dispose();

    private void Load(long acknowledged)
    {
        _nextSequence = acknowledged;
        if (!File.Exists(_eventsPath))
        {
            return;
        }

        foreach (var text in File.ReadLines(_eventsPath))
        {
            SpoolLine? line;
            try
            {
                line = JsonSerializer.Deserialize<SpoolLine>(text, LineOptions);
            }
            catch (JsonException)
            {
                continue; // the last line of a crash, cut short
            }

            if (line is null || !ClipEventSerializer.TryTypeOf(line.Manifest, out var type))
            {
                continue;
            }

            _nextSequence = Math.Max(_nextSequence, line.Sequence);
            if (line.Sequence > acknowledged && line.Event.Deserialize(type, ClipEventSerializer.JsonOptions) is IClipEvent evt)
            {
                _waiting.AddLast(new SpooledEvent(line.Sequence, evt));
            }
        }
    }

    /// <summary>Opens for appending; a last line cut short by a crash is ended first, so the next event starts a line of its own.</summary>
    private FileStream OpenForAppend()
    {
        var stream = new FileStream(_eventsPath, FileMode.Append, FileAccess.Write, FileShare.Read);
        if (stream.Length > 0)
        {
            using var reader = new FileStream(_eventsPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            reader.Seek(-1, SeekOrigin.End);
            if (reader.ReadByte() != '\n')
            {
                stream.WriteByte((byte)'\n');
            }
        }

        return stream;
    }

    private static readonly JsonSerializerOptions LineOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private sealed record SpoolLine(long Sequence, string Manifest, JsonElement Event);
}

public sealed record SpooledEvent(long Sequence, IClipEvent Event);
