using System.Runtime.CompilerServices;
using System.Threading.Channels;
using HomeSec.Core.Clips;
using HomeSec.Core.Plugins.Sources.LocalFolder;
using Microsoft.Extensions.Logging;

namespace HomeSec.Core.Plugins.Sources.Ftp;

/// <summary>
/// A camera that uploads by FTP: HomeSec runs the FTP server. An upload is written under
/// <c>.partial</c> and moved into place only when the data connection ended cleanly; then it is
/// recorded in the manifest (before the client hears 226) and handed over as a clip.
/// </summary>
public sealed class FtpSource(FtpSourceOptions options, string cameraName, TimeProvider clock, ILogger<FtpSource> logger)
    : IClipSource, IFtpUploadTarget
{
    private readonly TaskCompletionSource<ClipManifest> _manifest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<RecordedClip> _finished = Channel.CreateUnbounded<RecordedClip>();
    private readonly SemaphoreSlim _manifestLock = new(1, 1);
    private readonly Dictionary<string, ClipId> _pendingByPath = new(StringComparer.Ordinal);
    private volatile string _listening = "";
    private DateTimeOffset? _lastUpload;
    private string _problem = "not started";

    public SourceHealth Health => new(_listening.Length > 0, _lastUpload,
        _listening.Length > 0
            ? $"listening on {_listening}; last upload {(_lastUpload is { } at ? at.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : "none yet")}"
            : _problem);

    public async IAsyncEnumerable<RecordedClip> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Root);
        DiscardBrokenUploads();
        var manifest = await ClipManifest.OpenAsync(options.ManifestPath, cancellationToken);
        _manifest.TrySetResult(manifest);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task? serving = null;
        try
        {
            foreach (var pending in manifest.Pending)
            {
                if (File.Exists(pending.FilePath))
                {
                    lock (_pendingByPath)
                    {
                        _pendingByPath[pending.FilePath] = pending.ClipId;
                    }

                    yield return ToClip(pending, resumed: true);
                }
                else
                {
                    logger.LogError("Clip {ClipId} was handed over but its file {Path} is gone; it cannot be resumed", pending.ClipId, pending.FilePath);
                }
            }

            foreach (var recovered in await RecoverUnrecordedUploadsAsync(manifest, cancellationToken))
            {
                yield return ToClip(recovered, resumed: true);
            }

            var server = new FtpServer(options, this, logger);
            var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            serving = Task.Run(() => server.RunAsync(() => listening.TrySetResult(), stop.Token), CancellationToken.None);
            await Task.WhenAny(listening.Task, serving);
            await (serving.IsFaulted ? serving : Task.CompletedTask);
            _listening = server.ListeningOn?.ToString() ?? "";

            await foreach (var clip in _finished.Reader.ReadAllAsync(cancellationToken))
            {
                yield return clip;
            }
        }
        finally
        {
            _listening = "";
            _problem = "stopped";
            await stop.CancelAsync();
            if (serving is not null)
            {
                await serving.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }

            await _manifestLock.WaitAsync(CancellationToken.None);
            try
            {
                await manifest.DisposeAsync();
            }
            finally
            {
                _manifestLock.Release();
            }
        }
    }

    public async Task MarkProcessedAsync(ClipId clipId, CancellationToken cancellationToken)
    {
        var manifest = await _manifest.Task.WaitAsync(cancellationToken);
        await _manifestLock.WaitAsync(cancellationToken);
        try
        {
            await manifest.MarkDoneAsync(clipId, cancellationToken);
            lock (_pendingByPath)
            {
                foreach (var path in _pendingByPath.Where(p => p.Value == clipId).Select(p => p.Key).ToList())
                {
                    _pendingByPath.Remove(path);
                }
            }
        }
        finally
        {
            _manifestLock.Release();
        }
    }

    bool IFtpUploadTarget.IsPendingClip(string physicalPath)
    {
        lock (_pendingByPath)
        {
            return _pendingByPath.ContainsKey(physicalPath);
        }
    }

    async Task IFtpUploadTarget.CommitAsync(string partialPath, string targetPath, CancellationToken cancellationToken)
    {
        var manifest = await _manifest.Task.WaitAsync(cancellationToken);
        await _manifestLock.WaitAsync(cancellationToken);
        try
        {
            File.Move(partialPath, targetPath, overwrite: true);
            _lastUpload = clock.GetUtcNow();
            if (!IsClip(targetPath))
            {
                return;
            }

            var entry = await RecordAsync(manifest, targetPath, cancellationToken);
            await _finished.Writer.WriteAsync(ToClip(entry, resumed: false), cancellationToken);
        }
        finally
        {
            _manifestLock.Release();
        }
    }

    private async Task<ClipManifest.Entry> RecordAsync(ClipManifest manifest, string path, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        File.SetLastWriteTimeUtc(path, now.UtcDateTime);
        var file = new FileInfo(path);
        var modified = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
        var collision = 0;
        while (manifest.HasClip(ClipId.For(cameraName, modified, collision)))
        {
            collision++;
        }

        var entry = new ClipManifest.Entry(ClipId.For(cameraName, modified, collision), file.FullName, file.Length, modified, Done: false);
        await manifest.AddAsync(entry, cancellationToken);
        lock (_pendingByPath)
        {
            _pendingByPath[entry.FilePath] = entry.ClipId;
        }

        return entry;
    }

    /// <summary>An upload moved into place just before a crash, before the manifest heard of it: still a clip.</summary>
    private async Task<List<ClipManifest.Entry>> RecoverUnrecordedUploadsAsync(ClipManifest manifest, CancellationToken cancellationToken)
    {
        var recovered = new List<ClipManifest.Entry>();
        var files = Directory.EnumerateFiles(options.Root, "*", SearchOption.AllDirectories)
            .Where(f => IsClip(f) && !IsReserved(f))
            .Select(f => new FileInfo(f))
            .Where(f => !manifest.Knows(f.FullName, f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))
            .OrderBy(f => f.LastWriteTimeUtc)
            .ToList();
        foreach (var file in files)
        {
            logger.LogWarning("FTP upload {Path} was never handed over (crash?); handing it over now", file.FullName);
            recovered.Add(await RecordAsync(manifest, file.FullName, cancellationToken));
        }

        return recovered;
    }

    private void DiscardBrokenUploads()
    {
        if (Directory.Exists(options.PartialDir))
        {
            foreach (var leftover in Directory.EnumerateFiles(options.PartialDir))
            {
                logger.LogInformation("Discarding unfinished FTP upload {Path}", leftover);
                File.Delete(leftover);
            }
        }
    }

    private bool IsClip(string path) => options.Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    private bool IsReserved(string path) =>
        Path.GetRelativePath(options.Root, path).Split(Path.DirectorySeparatorChar)[0] is var first && FtpPaths.ReservedNames.Contains(first);

    private RecordedClip ToClip(ClipManifest.Entry entry, bool resumed) =>
        new(entry.ClipId, cameraName, entry.FilePath, entry.ModifiedAt, entry.ModifiedAt, entry.Size, resumed);
}
