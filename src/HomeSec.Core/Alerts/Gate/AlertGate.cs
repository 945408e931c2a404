using System.Text.Json;

namespace HomeSec.Core.Alerts.Gate;

/// <summary>
/// The one gate every clip's alert passes: holds the armed mode and the cooldowns, and applies
/// <see cref="AlertGateRules"/> under a lock (in memory, no I/O on the decision path). The mode is kept in
/// <c>{local_state_dir}/mode.json</c>, written atomically and fsync'd, so it survives restarts and power cuts and is
/// known at start even while the database is down. Cooldowns start empty after a restart.
/// </summary>
public sealed class AlertGate
{
    private readonly Lock _lock = new();
    private readonly IReadOnlyDictionary<string, CameraAlertRules> _cameras;
    private readonly string? _modeFile;
    private GateState _state;

    /// <param name="initialMode">The config's <c>mode</c>: used when no mode was saved yet.</param>
    /// <param name="modeFile">Where the mode is saved; null keeps it in memory only (tests).</param>
    public AlertGate(ArmedMode initialMode, IReadOnlyDictionary<string, CameraAlertRules> cameras, string? modeFile)
    {
        _cameras = cameras;
        _modeFile = modeFile;
        _state = GateState.Initial(ReadSavedMode(modeFile) ?? initialMode);
    }

    public static AlertGate Open(ArmedMode initialMode, IReadOnlyDictionary<string, CameraAlertRules> cameras) => new(initialMode, cameras, null);

    /// <summary>Told after every change, with the new mode (e.g. the mqtt notifier publishes it).</summary>
    public event Action<ArmedMode>? ModeChanged;

    public ArmedMode Mode
    {
        get
        {
            lock (_lock)
            {
                return _state.Mode;
            }
        }
    }

    /// <summary>The zones and alert rules of a camera (the default rules for one the config does not name).</summary>
    public CameraAlertRules RulesOf(string camera) => _cameras.GetValueOrDefault(camera) ?? CameraAlertRules.Default;

    public AlertDecision Decide(AlertProposal proposal, DateTimeOffset now)
    {
        var rules = _cameras.GetValueOrDefault(proposal.Camera) ?? CameraAlertRules.Default;
        lock (_lock)
        {
            var (decision, next) = AlertGateRules.Decide(_state, proposal, rules, now);
            _state = next;
            return decision;
        }
    }

    /// <summary>Sets and saves the mode. Throws <see cref="IOException"/> when it cannot be saved (the mode is then unchanged).</summary>
    public void SetMode(ArmedMode mode)
    {
        lock (_lock)
        {
            if (_modeFile is not null)
            {
                Save(_modeFile, mode);
            }

            _state = _state with { Mode = mode };
        }

        ModeChanged?.Invoke(mode);
    }

    private static ArmedMode? ReadSavedMode(string? path)
    {
        try
        {
            if (path is null || !File.Exists(path))
            {
                return null;
            }

            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return ArmedModes.TryParse(document.RootElement.GetProperty("mode").GetString(), out var mode) ? mode : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or InvalidOperationException or UnauthorizedAccessException)
        {
            return null; // unreadable: the config's mode applies
        }
    }

    private static void Save(string path, ArmedMode mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(file, new { mode = mode.ToWireName(), at = DateTimeOffset.UtcNow });
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
