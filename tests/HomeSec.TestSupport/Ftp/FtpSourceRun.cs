using System.Net.Sockets;
using HomeSec.Core.Clips;
using HomeSec.Core.Plugins.Sources.Ftp;

namespace HomeSec.TestSupport.Ftp;

/// <summary>An <see cref="FtpSource"/> listening on a free loopback port and watched in the background, as a camera actor would, with its clips and logs.</summary>
public sealed class FtpSourceRun : IAsyncDisposable
{
    public const string User = "cam";
    public const string Password = "s3cr3t-Pa55";

    private readonly ClipSourceWatch _watch;

    private FtpSourceRun(FtpSourceOptions options)
    {
        Options = options;
        Source = new FtpSource(options, "gate", TimeProvider.System, Logger);
        _watch = new ClipSourceWatch(Source);
    }

    public FtpSourceOptions Options { get; }

    public FtpSource Source { get; }

    public CapturingLogger<FtpSource> Logger { get; } = new();

    public Exception? Failure => _watch.Failure;

    public IReadOnlyList<RecordedClip> Clips => _watch.Clips;

    /// <summary>The URL an FTP client (curl, lftp) logs in with.</summary>
    public string Url => $"ftp://{User}:{Password}@127.0.0.1:{Options.Port}";

    public static FtpSourceOptions OptionsFor(string root, int? port = null) => new()
    {
        Host = "127.0.0.1",
        Port = port ?? LoopbackPort.Free(),
        Username = User,
        Password = Password,
        Root = root,
        ManifestPath = Path.Combine(root, ".homesec", "manifest.jsonl"),
        IdleTimeout = TimeSpan.FromSeconds(20),
    };

    public static async Task<FtpSourceRun> StartAsync(FtpSourceOptions options)
    {
        var run = new FtpSourceRun(options);
        if (!await Eventually.TrueAsync(() => run.Source.Health.Healthy || run.Failure is not null) || run.Failure is not null)
        {
            throw new InvalidOperationException($"the FTP source did not start listening: {run.Failure?.Message}", run.Failure);
        }

        return run;
    }

    /// <summary>Logs in, uploads <paramref name="bytes"/> as <paramref name="name"/> and returns the final reply; after a 226 waits until a clip comes when <paramref name="expectClip"/>.</summary>
    public async Task<string?> UploadAsync(string name, byte[] bytes, bool expectClip = true)
    {
        var before = Clips.Count;
        await using var client = await RawFtpClient.ConnectAsync(Options.Port);
        await client.ReadReplyAsync();
        await client.LoginAsync();
        await client.CommandAsync("TYPE I");
        using var data = await client.OpenDataAsync();
        var started = await client.CommandAsync("STOR " + name);
        if (started?.StartsWith("150", StringComparison.Ordinal) != true)
        {
            return started;
        }

        try
        {
            await data.GetStream().WriteAsync(bytes);
            data.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            // the server may cut the data connection (size limit); its reply says why
        }

        var reply = await client.ReadReplyAsync();
        if (expectClip && reply?.StartsWith("226", StringComparison.Ordinal) == true)
        {
            await Eventually.TrueAsync(() => Clips.Count > before);
        }

        return reply;
    }

    public Task StopAsync() => _watch.StopAsync(TimeSpan.FromSeconds(10));

    public ValueTask DisposeAsync() => _watch.DisposeAsync();
}
