using System.Runtime.CompilerServices;
using HomeSec.Core.Clips;
using HomeSec.Core.Media;
using Microsoft.Extensions.Logging;

namespace HomeSec.Core.Plugins.Sources.LocalFolder;

/// <summary>
/// Watches a folder by polling. A file becomes a clip once its size and modification time have held
/// still for the stability threshold and ffprobe accepts it as a video (<see cref="FfmpegInput"/>);
/// the manifest makes sure each file is handed over once.
/// </summary>
public sealed class LocalFolderSource(LocalFolderOptions options, string cameraName, TimeProvider clock, ILogger<LocalFolderSource> logger, IMediaProbe? mediaProbe = null)
    : IClipSource
{
    private readonly IMediaProbe _probe = mediaProbe ?? new FfprobeMediaProbe();
    private bool _warnedProbeMissing;

    /// <summary>Files found not to be videos, with the size and time they had then: not probed again until they change.</summary>
    private readonly Dictionary<string, Observation> _notVideo = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Observation> _observed = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<ClipManifest> _manifest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset? _lastPoll;
    private string _problem = "";

    public SourceHealth Health => new(_lastPoll is not null && _problem.Length == 0, _lastPoll,
        _problem.Length > 0 ? _problem : $"watching {options.WatchDir}");

    public async IAsyncEnumerable<RecordedClip> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.WatchDir);
        var manifest = await ClipManifest.OpenAsync(options.ManifestPath, cancellationToken);
        _manifest.TrySetResult(manifest);
        try
        {
            foreach (var pending in manifest.Pending)
            {
                if (File.Exists(pending.FilePath))
                {
                    yield return ToClip(pending, resumed: true);
                }
                else
                {
                    logger.LogError("Clip {ClipId} was handed over but its file {Path} is gone; it cannot be resumed", pending.ClipId, pending.FilePath);
                }
            }

            using var timer = new PeriodicTimer(options.PollInterval, clock);
            do
            {
                foreach (var entry in await PollAsync(manifest, cancellationToken))
                {
                    yield return ToClip(entry, resumed: false);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        finally
        {
            await manifest.DisposeAsync();
        }
    }

    public async Task MarkProcessedAsync(ClipId clipId, CancellationToken cancellationToken)
    {
        var manifest = await _manifest.Task.WaitAsync(cancellationToken);
        await manifest.MarkDoneAsync(clipId, cancellationToken);
    }

    private async Task<List<ClipManifest.Entry>> PollAsync(ClipManifest manifest, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var ready = new List<ClipManifest.Entry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        IEnumerable<FileInfo> files;
        try
        {
            files = new DirectoryInfo(options.WatchDir)
                .EnumerateFiles("*", SearchOption.TopDirectoryOnly)
                .Where(f => !f.Name.StartsWith('.') && options.Extensions.Contains(f.Extension.ToLowerInvariant()))
                .ToList();
            _problem = "";
        }
        catch (IOException ex)
        {
            _problem = $"cannot read {options.WatchDir}: {ex.Message}";
            logger.LogWarning(ex, "Cannot read watch folder {WatchDir}", options.WatchDir);
            return ready;
        }

        foreach (var file in files.OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal))
        {
            seen.Add(file.FullName);
            var modified = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
            if (manifest.Knows(file.FullName, file.Length, modified))
            {
                continue;
            }

            if (!_observed.TryGetValue(file.FullName, out var seenBefore) || seenBefore.Size != file.Length || seenBefore.ModifiedAt != modified)
            {
                _observed[file.FullName] = new Observation(file.Length, modified, now);
                if (options.StabilityThreshold > TimeSpan.Zero)
                {
                    continue;
                }
            }
            else if (now - seenBefore.StableSince < options.StabilityThreshold)
            {
                continue;
            }

            if (_notVideo.TryGetValue(file.FullName, out var rejected) && rejected.Size == file.Length && rejected.ModifiedAt == modified)
            {
                continue;
            }

            var content = await _probe.CheckAsync(file.FullName, cancellationToken);
            if (content.ProbeMissing)
            {
                // The embedded defaults need only the .NET SDK: without ffmpeg nothing decodes the file either (no
                // playlist is followed), so a watched folder the user fills takes a non-empty file by its extension.
                if (!_warnedProbeMissing)
                {
                    _warnedProbeMissing = true;
                    logger.LogWarning("ffprobe is not installed ({Reason}): files in {WatchDir} become clips by their extension, without a content check; install ffmpeg to check them",
                        content.Reason, options.WatchDir);
                }

                content = file.Length > 0 ? new MediaCheck(true, TimeSpan.Zero, "not checked: ffprobe is not installed") : MediaCheck.NotVideo("empty file");
            }

            if (!content.IsVideo)
            {
                logger.LogWarning("{Path} is not a video ({Reason}); left as a plain file, not a clip", file.FullName, content.Reason);
                _notVideo[file.FullName] = new Observation(file.Length, modified, now);
                continue;
            }

            var entry = new ClipManifest.Entry(NewClipId(manifest, modified), file.FullName, file.Length, modified, Done: false,
                content.Duration > TimeSpan.Zero ? content.Duration : null);
            await manifest.AddAsync(entry, cancellationToken);
            _observed.Remove(file.FullName);
            ready.Add(entry);
        }

        foreach (var vanished in _observed.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _observed.Remove(vanished);
        }

        foreach (var vanished in _notVideo.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _notVideo.Remove(vanished);
        }

        _lastPoll = now;
        return ready;
    }

    private ClipId NewClipId(ClipManifest manifest, DateTimeOffset modified)
    {
        var collision = 0;
        while (manifest.HasClip(ClipId.For(cameraName, modified, collision)))
        {
            collision++;
        }

        return ClipId.For(cameraName, modified, collision);
    }

    private RecordedClip ToClip(ClipManifest.Entry entry, bool resumed) => entry.ToClip(cameraName, resumed);

    private sealed record Observation(long Size, DateTimeOffset ModifiedAt, DateTimeOffset StableSince);
}
