using System.Globalization;
using System.Text;
using System.Text.Json;
using HomeSec.Core.Clips;

namespace HomeSec.Core.Alerts;

/// <summary>
/// One notifier's bounded, on-disk queue of alerts it could not deliver yet: one JSON file per alert,
/// named by a growing sequence number, so the oldest comes first and a restart finds them all again.
/// An alert is queued at most once and, once delivered, never queued again (dedupe_key = clip id,
/// remembered in <c>delivered.txt</c>). Past <c>maxItems</c> the oldest alerts are dropped and counted.
/// Not thread-safe: one owner (the notifier's outbox actor) uses it.
/// </summary>
public sealed class AlertOutbox
{
    private const string Extension = ".json";
    private const string DeliveredFile = "delivered.txt";
    private static readonly UTF8Encoding Utf8 = new(false);

    private readonly string _directory;
    private readonly int _maxItems;
    private readonly int _deliveredMemory;
    private readonly List<Entry> _entries = [];
    private readonly HashSet<string> _delivered = new(StringComparer.Ordinal);
    private readonly Queue<string> _deliveredOrder = new();
    private long _nextSequence;

    public AlertOutbox(string directory, int maxItems)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxItems, 1);
        _directory = directory;
        _maxItems = maxItems;
        _deliveredMemory = Math.Max(1000, maxItems * 2);
        Directory.CreateDirectory(directory);
        Load();
    }

    public int Count => _entries.Count;

    /// <summary>Alerts dropped because the outbox was full, since this instance was opened.</summary>
    public long DroppedTotal { get; private set; }

    /// <summary>Files that could not be read at open (renamed to <c>*.bad</c>).</summary>
    public int Unreadable { get; private set; }

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<Alert> Alerts => _entries.Select(e => e.Alert).ToList();

    public Alert? Oldest => _entries.Count == 0 ? null : _entries[0].Alert;

    /// <summary>Adds the alert unless it is queued or was delivered already; drops the oldest past the bound.</summary>
    public AddResult Add(Alert alert)
    {
        if (_delivered.Contains(alert.DedupeKey))
        {
            return new AddResult(AddOutcome.AlreadyDelivered, []);
        }

        if (_entries.Any(e => e.Alert.DedupeKey == alert.DedupeKey))
        {
            return new AddResult(AddOutcome.AlreadyQueued, []);
        }

        var path = Path.Combine(_directory, _nextSequence.ToString("D19", CultureInfo.InvariantCulture) + Extension);
        _nextSequence++;
        WriteAtomically(path, JsonSerializer.Serialize(alert));
        _entries.Add(new Entry(path, alert));

        var dropped = new List<Alert>();
        while (_entries.Count > _maxItems)
        {
            var oldest = _entries[0];
            _entries.RemoveAt(0);
            File.Delete(oldest.Path);
            dropped.Add(oldest.Alert);
        }

        DroppedTotal += dropped.Count;
        return new AddResult(AddOutcome.Added, dropped);
    }

    /// <summary>The alert was delivered: forget it and remember its key, so it is never queued again.</summary>
    public void MarkDelivered(ClipId clipId)
    {
        Remove(clipId);
        var key = clipId.Value;
        if (!_delivered.Add(key))
        {
            return;
        }

        _deliveredOrder.Enqueue(key);
        var deliveredPath = Path.Combine(_directory, DeliveredFile);
        File.AppendAllText(deliveredPath, key + "\n", Utf8);
        if (_deliveredOrder.Count > _deliveredMemory)
        {
            while (_deliveredOrder.Count > _deliveredMemory / 2)
            {
                _delivered.Remove(_deliveredOrder.Dequeue());
            }

            WriteAtomically(deliveredPath, string.Concat(_deliveredOrder.Select(k => k + "\n")));
        }
    }

    /// <summary>Forgets a queued alert without marking it delivered (e.g. the receiver rejected it for good).</summary>
    public void Remove(ClipId clipId)
    {
        var index = _entries.FindIndex(e => e.Alert.ClipId == clipId);
        if (index >= 0)
        {
            File.Delete(_entries[index].Path);
            _entries.RemoveAt(index);
        }
    }

    private void Load()
    {
        var deliveredPath = Path.Combine(_directory, DeliveredFile);
        if (File.Exists(deliveredPath))
        {
            foreach (var key in File.ReadAllLines(deliveredPath, Utf8).Where(l => l.Length > 0))
            {
                if (_delivered.Add(key))
                {
                    _deliveredOrder.Enqueue(key);
                }
            }
        }

        foreach (var path in Directory.EnumerateFiles(_directory, "*" + Extension).Order(StringComparer.Ordinal))
        {
            if (!long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                continue;
            }

            _nextSequence = Math.Max(_nextSequence, sequence + 1);
            try
            {
                var alert = JsonSerializer.Deserialize<Alert>(File.ReadAllText(path, Utf8)) ?? throw new JsonException("empty file");
                _entries.Add(new Entry(path, alert));
            }
            catch (JsonException)
            {
                File.Move(path, path + ".bad", overwrite: true);
                Unreadable++;
            }
        }
    }

    /// <summary>Write then rename, so a crash never leaves a half-written alert behind.</summary>
    private static void WriteAtomically(string path, string content)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content, Utf8);
        File.Move(temporary, path, overwrite: true);
    }

    private sealed record Entry(string Path, Alert Alert);

    public enum AddOutcome
    {
        Added,
        AlreadyQueued,
        AlreadyDelivered,
    }

    /// <param name="Dropped">The oldest alerts that had to go to keep the bound.</param>
    public sealed record AddResult(AddOutcome Outcome, IReadOnlyList<Alert> Dropped);
}
