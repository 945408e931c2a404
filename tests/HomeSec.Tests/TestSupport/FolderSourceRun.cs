using HomeSec.Core.Clips;
using HomeSec.Core.Media;
using HomeSec.Core.Plugins.Sources.LocalFolder;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace HomeSec.Tests.TestSupport;

/// <summary>
/// One run of a <see cref="LocalFolderSource"/> on a manual clock: the test decides when the folder is
/// polled, and waits (with a timeout) for the poll or the hand-over it causes. Disposing it is a stop.
/// </summary>
internal sealed class FolderSourceRun : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = Eventually.DefaultTimeout;

    private readonly CancellationTokenSource _cts = new(TimeSpan.FromSeconds(30));
    private readonly IAsyncEnumerator<RecordedClip> _clips;
    private Task<bool>? _next;

    /// <param name="mediaProbe">
    /// The content check; by default every file counts as a video, because these specs are about polling,
    /// stability and the manifest, written with small text files. Content specs pass the real ffprobe.
    /// </param>
    public FolderSourceRun(LocalFolderOptions options, string cameraName = "front_door", IMediaProbe? mediaProbe = null)
    {
        Options = options;
        Source = new LocalFolderSource(options, cameraName, Clock, NullLogger<LocalFolderSource>.Instance, mediaProbe ?? new EveryFileIsVideo());
        _clips = Source.WatchAsync(_cts.Token).GetAsyncEnumerator(_cts.Token);
    }

    public ManualTimeProvider Clock { get; } = new();

    public LocalFolderOptions Options { get; }

    public LocalFolderSource Source { get; }

    /// <summary>True when the source handed over a clip that nobody took yet.</summary>
    public bool HasHandedOver => _next is { IsCompleted: true };

    /// <summary>Asks for the next clip (starting the watch on first use) and waits for the first poll to finish or a clip to come.</summary>
    public async Task StartAsync()
    {
        var next = Next();
        Assert.True(await Eventually.TrueAsync(() => next.IsCompleted || Source.Health.LastHeartbeat == Clock.GetUtcNow()), "the source never polled");
    }

    /// <summary>The next clip the source hands over, polling as often as needed (at most <paramref name="maxPolls"/>).</summary>
    public async Task<RecordedClip> TakeAsync(int maxPolls = 0)
    {
        var next = Next();
        for (var poll = 0; poll < maxPolls && !next.IsCompleted; poll++)
        {
            await PollAsync();
        }

        Assert.True(await next.WaitAsync(Timeout), "the watch ended");
        _next = null;
        return _clips.Current;
    }

    /// <summary>Moves the clock one poll interval and waits until that poll is done or a clip was handed over.</summary>
    public async Task PollAsync()
    {
        var next = Next();
        Clock.Advance(Options.PollInterval);
        var now = Clock.GetUtcNow();
        Assert.True(await Eventually.TrueAsync(() => next.IsCompleted || Source.Health.LastHeartbeat == now), "the source did not poll");
    }

    /// <summary>
    /// Polls twice and checks nothing came out. The second poll only runs once the first one handed nothing
    /// over (a hand-over suspends the watch), so the first poll's result is certain.
    /// </summary>
    public async Task AssertNothingHandedOverAsync()
    {
        await PollAsync();
        await PollAsync();
        Assert.False(HasHandedOver, HasHandedOver ? $"unexpected clip {_clips.Current}" : "");
    }

    public async ValueTask DisposeAsync()
    {
        if (_next is { IsCompleted: false } pending)
        {
            await _cts.CancelAsync();
            try
            {
                await pending.WaitAsync(Timeout);
            }
            catch (OperationCanceledException)
            {
                // the watch stops by cancellation
            }
        }

        await _clips.DisposeAsync();
        _cts.Dispose();
    }

    private Task<bool> Next() => _next ??= _clips.MoveNextAsync().AsTask();
}

/// <summary>A content check that accepts every file (for specs whose files are small text stand-ins).</summary>
internal sealed class EveryFileIsVideo : IMediaProbe
{
    public Task<MediaCheck> CheckAsync(string path, CancellationToken cancellationToken) =>
        Task.FromResult(new MediaCheck(true, TimeSpan.FromSeconds(1), "taken as video by the test"));
}
