using System.Runtime.CompilerServices;
using System.Threading.Channels;
using HomeSec.Core.Clips;
using HomeSec.Core.Media;
using Microsoft.Extensions.Logging;

namespace HomeSec.Core.Plugins.Sources.Ftp;

/// <summary>
/// A camera that uploads by FTP: HomeSec runs the FTP server. An upload is written under
/// <c>.partial</c> and moved into place only when the data connection ended cleanly; then it is
/// recorded in the manifest (before the client hears 226) and handed over as a clip, if ffprobe
/// (with the demuxer and protocol whitelists of <see cref="FfmpegInput"/>) accepts it as a video.
/// </summary>
public sealed class FtpSource(FtpSourceOptions options, string cameraName, TimeProvider clock, ILogger<FtpSource> logger, IMediaProbe? mediaProbe = null)
    : IClipSource, IFtpUploadTarget
{
    private readonly IMediaProbe _probe = mediaProbe ?? new FfprobeMediaProbe();
    private readonly FtpLoginThrottle _throttle = new(options, clock);
    private readonly TaskCompletionSource<ClipManifest> _manifest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<RecordedClip> _finished = Channel.CreateUnbounded<RecordedClip>();
    private readonly SemaphoreSlim _manifestLock = new(1, 1);
    private readonly Dictionary<string, ClipId> _pendingByPath = new(StringComparer.Ordinal);
    private volatile string _listening = "";
    private DateTimeOffset? _lastUpload;
    private string _problem = "not started";
    private volatile string? _writeFailure;
    private FtpPaths? _paths;

    /// <summary>Listening, and the last upload could be written (a full disk makes it unhealthy until an upload succeeds again).</summary>
    public SourceHealth Health => new(_listening.Length > 0 && _writeFailure is null, _lastUpload,
        _listening.Length > 0
            ? $"listening on {_listening}; last upload {(_lastUpload is { } at ? at.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : "none yet")}"
              + (_writeFailure is { } failure ? $"; cannot write uploads: {failure}" : "")
              + (_throttle.ActiveBans is > 0 and var bans ? $"; {bans} address(es) banned after failed logins" : "")
            : _problem)
    {
        Counters = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["ftp_failed_logins"] = FailedLogins,
            ["ftp_login_bans"] = LoginBans,
        },
    };

    /// <summary>Failed FTP logins since start (for metrics).</summary>
    public long FailedLogins => _throttle.FailedLogins;

    /// <summary>Addresses banned for failed logins since start (for metrics).</summary>
    public long LoginBans => _throttle.Bans;

    /// <summary>Addresses banned right now.</summary>
    public int ActiveLoginBans => _throttle.ActiveBans;

    public async IAsyncEnumerable<RecordedClip> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Root);
        var paths = new FtpPaths(options.Root);
        _paths = paths;
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

            foreach (var recovered in await RecoverUnrecordedUploadsAsync(manifest, paths, cancellationToken))
            {
                yield return ToClip(recovered, resumed: true);
            }

            var server = new FtpServer(options, paths, this, _throttle, clock, logger);
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

    void IFtpUploadTarget.ReportWriteFailure(string partialPath, IOException error) =>
        _writeFailure = $"{error.Message} ({clock.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture)})";

    async Task<FtpCommitResult> IFtpUploadTarget.CommitAsync(string partialPath, string targetPath, CancellationToken cancellationToken)
    {
        var manifest = await _manifest.Task.WaitAsync(cancellationToken);
        // The content check runs on HomeSec's own copy in .partial, before the lock: ffprobe may take a moment.
        var content = IsClip(targetPath) ? await _probe.CheckAsync(partialPath, cancellationToken) : null;
        await _manifestLock.WaitAsync(cancellationToken);
        try
        {
            // Checked again under the lock that records clips: a parallel upload of the same name may have become a clip meanwhile.
            if (((IFtpUploadTarget)this).IsPendingClip(targetPath))
            {
                return FtpCommitResult.NameBusy;
            }

            // rename(2) replaces a link at the target itself (never its target); a link in a parent folder swapped in since the check is refused
            if (_paths is { } paths && (!paths.IsUnderRoot(targetPath) || paths.GoesThroughLink(Path.GetDirectoryName(targetPath)!)))
            {
                throw new IOException($"the folder of {targetPath} changed into a symbolic link during the upload");
            }

            File.Move(partialPath, targetPath, overwrite: true);
            File.SetLastWriteTimeUtc(targetPath, clock.GetUtcNow().UtcDateTime);
            _lastUpload = clock.GetUtcNow();
            _writeFailure = null;
            if (content is null)
            {
                return FtpCommitResult.Committed;
            }

            if (!content.IsVideo)
            {
                logger.LogWarning("FTP upload {Path} is not a video ({Reason}); kept as a plain file, not a clip", targetPath, content.Reason);
                return FtpCommitResult.Committed;
            }

            var entry = await RecordAsync(manifest, targetPath, content.Duration, cancellationToken);
            await _finished.Writer.WriteAsync(ToClip(entry, resumed: false), cancellationToken);
            return FtpCommitResult.Committed;
        }
        finally
        {
            _manifestLock.Release();
        }
    }

    private async Task<ClipManifest.Entry> RecordAsync(ClipManifest manifest, string path, TimeSpan duration, CancellationToken cancellationToken)
    {
        var file = new FileInfo(path);
        var modified = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
        var collision = 0;
        while (manifest.HasClip(ClipId.For(cameraName, modified, collision)))
        {
            collision++;
        }

        var entry = new ClipManifest.Entry(ClipId.For(cameraName, modified, collision), file.FullName, file.Length, modified, Done: false,
            duration > TimeSpan.Zero ? duration : null);
        await manifest.AddAsync(entry, cancellationToken);
        lock (_pendingByPath)
        {
            _pendingByPath[entry.FilePath] = entry.ClipId;
        }

        return entry;
    }

    /// <summary>An upload moved into place just before a crash, before the manifest heard of it: still a clip (if it is a video).</summary>
    private async Task<List<ClipManifest.Entry>> RecoverUnrecordedUploadsAsync(ClipManifest manifest, FtpPaths paths, CancellationToken cancellationToken)
    {
        var recovered = new List<ClipManifest.Entry>();
        var files = FilesWithoutFollowingLinks(paths.Root)
            .Where(f => IsClip(f.FullName) && !IsReserved(paths, f.FullName))
            .Where(f => !manifest.Knows(f.FullName, f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))
            .OrderBy(f => f.LastWriteTimeUtc)
            .ToList();
        foreach (var file in files)
        {
            var content = await _probe.CheckAsync(file.FullName, cancellationToken);
            if (!content.IsVideo)
            {
                logger.LogWarning("FTP file {Path} is not a video ({Reason}); left as a plain file, not a clip", file.FullName, content.Reason);
                continue;
            }

            logger.LogWarning("FTP upload {Path} was never handed over (crash?); handing it over now", file.FullName);
            recovered.Add(await RecordAsync(manifest, file.FullName, content.Duration, cancellationToken));
        }

        return recovered;
    }

    /// <summary>
    /// Every file below <paramref name="root"/>, never entering a linked folder nor taking a linked file:
    /// a loop (<c>l -&gt; .</c>) would list the same files again and again, a link to elsewhere would make a
    /// file outside the root a clip.
    /// </summary>
    private IEnumerable<FileInfo> FilesWithoutFollowingLinks(string root)
    {
        var folders = new Stack<DirectoryInfo>([new DirectoryInfo(root)]);
        var options = new EnumerationOptions { IgnoreInaccessible = true, RecurseSubdirectories = false, AttributesToSkip = 0 };
        while (folders.TryPop(out var folder))
        {
            foreach (var entry in folder.EnumerateFileSystemInfos("*", options))
            {
                if (entry.LinkTarget is not null)
                {
                    logger.LogWarning("FTP root holds a symbolic link {Path} -> {Target}; not followed", entry.FullName, entry.LinkTarget);
                }
                else if (entry is DirectoryInfo directory)
                {
                    folders.Push(directory);
                }
                else if (entry is FileInfo file)
                {
                    yield return file;
                }
            }
        }
    }

    private void DiscardBrokenUploads()
    {
        if (new FileInfo(options.PartialDir).LinkTarget is not null)
        {
            // HomeSec deletes what is in .partial at start; through a link that would be someone else's files
            logger.LogWarning("FTP {PartialDir} is a symbolic link; removing the link (not what it points at)", options.PartialDir);
            File.Delete(options.PartialDir);
        }

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

    private static bool IsReserved(FtpPaths paths, string path) =>
        Path.GetRelativePath(paths.Root, path).Split(Path.DirectorySeparatorChar)[0] is var first && FtpPaths.ReservedNames.Contains(first);

    private RecordedClip ToClip(ClipManifest.Entry entry, bool resumed) => entry.ToClip(cameraName, resumed);
}
