using HomeSec.TestSupport.Ftp;
using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Sources;

/// <summary>The ftp source's server against the FTP clients people and cameras use: curl, Python's ftplib and lftp.</summary>
public sealed class FtpSourceSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"homesec-ftp-{Guid.NewGuid():N}");

    public FtpSourceSpecs() => Directory.CreateDirectory(Root);

    private string Root => Path.Combine(_dir, "root");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Should_hand_over_exactly_one_clip_with_the_same_bytes_when_curl_uploads_into_a_new_folder()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        var file = await MakeClipAsync("upload.mp4");

        // When
        var curl = await FtpClients.RunAsync("curl", "-sS", "--ftp-create-dirs", "-T", file, $"{run.Url}/2024/05/");

        // Then
        Assert.True(curl.ExitCode == 0, curl.Output);
        await Eventually.WaitForAsync(() => run.Clips.Count > 0, Patience, "a clip", () => run.Logger.AllText);
        var clip = Assert.Single(run.Clips);
        Assert.Equal(Path.Combine(Root, "2024", "05", "upload.mp4"), clip.LocalPath);
        Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(clip.LocalPath));
        Assert.Equal(new FileInfo(file).Length, clip.SizeBytes);
        Assert.False(clip.Resumed);
    }

    [Fact]
    public async Task Should_refuse_the_login_with_530_and_hand_over_nothing_when_the_password_is_wrong()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        var file = MakeFile("upload.mp4", 1000);

        // When
        var curl = await FtpClients.RunAsync("curl", "-sS", "-T", file, $"ftp://{FtpSourceRun.User}:wrong@127.0.0.1:{run.Options.Port}/");
        var python = await FtpClients.PythonAsync(run.Options.Port, $"ftp.login('{FtpSourceRun.User}', 'wrong')");

        // Then
        Assert.Equal(67, curl.ExitCode);
        Assert.Contains("530", python.Output, StringComparison.Ordinal);
        Assert.Empty(run.Clips);
        Assert.Empty(Directory.EnumerateFiles(Root, "*.mp4", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Should_refuse_anonymous_login_when_anonymous_uploads_are_not_enabled()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));

        // When
        var python = await FtpClients.PythonAsync(run.Options.Port, "ftp.login()");

        // Then
        Assert.NotEqual(0, python.ExitCode);
        Assert.Contains("530", python.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_take_an_anonymous_upload_when_anonymous_uploads_are_enabled()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root) with { Anonymous = true, Username = null, Password = null });

        // When
        var file = await MakeClipAsync("anon.mp4");

        // When
        var python = await FtpClients.PythonAsync(run.Options.Port, $"ftp.login()\nftp.storbinary('STOR anon.mp4', open('{file}', 'rb'))\nftp.quit()");

        // Then
        Assert.True(python.ExitCode == 0, python.Output);
        await Eventually.WaitForAsync(() => run.Clips.Count > 0, Patience, "a clip", () => run.Logger.AllText);
        Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Assert.Single(run.Clips).LocalPath));
    }

    [Fact]
    public async Task Should_refuse_a_path_escape_and_write_nothing_outside_the_root_when_a_client_tries_one()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        var script = $"""
            ftp.login('{FtpSourceRun.User}', '{FtpSourceRun.Password}')
            for attempt in [lambda: ftp.cwd('../..'), lambda: ftp.storbinary('STOR ../x.mp4', io.BytesIO(b'escape')),
                            lambda: ftp.storbinary('STOR /../../y.mp4', io.BytesIO(b'escape')), lambda: ftp.mkd('../z')]:
                try:
                    attempt()
                    print('ALLOWED')
                except ftplib.error_perm as e:
                    print('REFUSED', str(e)[:3])
            print('PWD', ftp.pwd())
            ftp.quit()
            """;

        // When
        var python = await FtpClients.PythonAsync(run.Options.Port, script);

        // Then
        Assert.True(python.ExitCode == 0, python.Output);
        Assert.DoesNotContain("ALLOWED", python.Output, StringComparison.Ordinal);
        Assert.Equal(4, python.Output.Split('\n').Count(l => l.StartsWith("REFUSED 55", StringComparison.Ordinal)));
        Assert.Contains("PWD /", python.Output, StringComparison.Ordinal);
        Assert.Equal(["root"], Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName));
        Assert.Empty(Directory.EnumerateFiles(Path.GetTempPath(), "?.mp4"));
        Assert.Empty(run.Clips);
    }

    [Fact]
    public async Task Should_list_size_and_delete_files_when_ftplib_manages_its_folder()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        var clip = await MakeClipAsync("clip.mp4");
        var script = $"""
            ftp.login('{FtpSourceRun.User}', '{FtpSourceRun.Password}')
            ftp.storbinary('STOR note.txt', io.BytesIO(b'12345'))
            ftp.storbinary('STOR clip.mp4', open('{clip}', 'rb'))
            print('NLST', sorted(ftp.nlst()))
            print('SIZE', ftp.size('clip.mp4'))
            ftp.delete('note.txt')
            print('AFTER', sorted(ftp.nlst()))
            ftp.quit()
            """;

        // When
        var python = await FtpClients.PythonAsync(run.Options.Port, script);

        // Then
        Assert.True(python.ExitCode == 0, python.Output);
        Assert.Contains("NLST ['clip.mp4', 'note.txt']", python.Output, StringComparison.Ordinal);
        Assert.Contains($"SIZE {new FileInfo(clip).Length}", python.Output, StringComparison.Ordinal);
        Assert.Contains("AFTER ['clip.mp4']", python.Output, StringComparison.Ordinal);
        await Eventually.WaitForAsync(() => run.Clips.Count > 0, Patience, "a clip", () => run.Logger.AllText);
        Assert.Equal(Path.Combine(Root, "clip.mp4"), Assert.Single(run.Clips).LocalPath);
    }

    [Fact]
    public async Task Should_hand_over_no_clip_and_leave_no_file_when_curl_is_killed_mid_upload()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        var file = MakeFile("big.mp4", 20 * 1024 * 1024);
        using var curl = FtpClients.Start("curl", "-sS", "--limit-rate", "500K", "-T", file, $"{run.Url}/");
        await Eventually.WaitForAsync(
            () => Directory.Exists(run.Options.PartialDir) && Directory.EnumerateFiles(run.Options.PartialDir).Any(f => new FileInfo(f).Length > 0),
            Patience, "the upload to start", () => run.Logger.AllText);

        // When
        curl.Kill();
        await curl.WaitForExitAsync();

        // Then
        await Eventually.WaitForAsync(() => !Directory.EnumerateFiles(run.Options.PartialDir).Any(), Patience, "the half upload to be discarded", () => run.Logger.AllText);
        Assert.Empty(run.Clips);
        Assert.False(File.Exists(Path.Combine(Root, "big.mp4")));
    }

    [Fact]
    public async Task Should_fail_the_upload_and_keep_no_file_when_curl_uploads_more_than_the_size_limit()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root) with { MaxFileBytes = 1024 * 1024 });
        var file = MakeFile("big.mp4", 4 * 1024 * 1024);

        // When
        var curl = await FtpClients.RunAsync("curl", "-sS", "-T", file, $"{run.Url}/");

        // Then (curl stops at the reset data connection before it reads the 552; the raw-socket spec checks the reply)
        Assert.NotEqual(0, curl.ExitCode);
        await Eventually.WaitForAsync(() => run.Logger.Count(t => t.Contains("TooLarge", StringComparison.Ordinal)) > 0, Patience, "the abort", () => run.Logger.AllText);
        Assert.Empty(run.Clips);
        Assert.False(File.Exists(Path.Combine(Root, "big.mp4")));
        Assert.Empty(Directory.EnumerateFiles(run.Options.PartialDir));
    }

    [Fact]
    public async Task Should_hand_over_a_clip_when_lftp_uploads_it()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        var file = await MakeClipAsync("lftp.mkv");

        // When
        var lftp = await FtpClients.RunAsync("lftp", "-u", $"{FtpSourceRun.User},{FtpSourceRun.Password}", "-p", run.Options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-e", $"set net:max-retries 1; set ftp:ssl-allow no; mkdir -p cams; cd cams; put {file}; ls; quit", "127.0.0.1");

        // Then
        Assert.True(lftp.ExitCode == 0, lftp.Output);
        Assert.Contains("lftp.mkv", lftp.Output, StringComparison.Ordinal);
        await Eventually.WaitForAsync(() => run.Clips.Count > 0, Patience, "a clip", () => run.Logger.AllText);
        var clip = Assert.Single(run.Clips);
        Assert.Equal(Path.Combine(Root, "cams", "lftp.mkv"), clip.LocalPath);
        Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(clip.LocalPath));
    }

    [Fact]
    public async Task Should_never_log_the_password_when_clients_log_in_rightly_and_wrongly()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        var file = await MakeClipAsync("upload.mp4");

        // When
        await FtpClients.RunAsync("curl", "-sS", "-T", file, $"{run.Url}/");
        await FtpClients.RunAsync("curl", "-sS", "-T", file, $"ftp://{FtpSourceRun.User}:{FtpSourceRun.Password}x@127.0.0.1:{run.Options.Port}/");
        await Eventually.WaitForAsync(() => run.Clips.Count > 0, Patience, "a clip", () => run.Logger.AllText);

        // Then
        Assert.Contains("PASS ****", run.Logger.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(FtpSourceRun.Password, run.Logger.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(FtpSourceRun.Password, run.Source.Health.Detail, StringComparison.Ordinal);
    }

    /// <summary>A small real clip (ffprobe must accept it as video to make it a clip) in the container its extension names.</summary>
    private async Task<string> MakeClipAsync(string name)
    {
        var path = Path.Combine(_dir, name);
        await Ffmpeg.MakeTestClipAsync(path, seconds: 1, width: 64, height: 48);
        return path;
    }

    private string MakeFile(string name, int size)
    {
        var path = Path.Combine(_dir, name);
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
