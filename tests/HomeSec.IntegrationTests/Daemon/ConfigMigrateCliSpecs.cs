using System.Diagnostics;
using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>
/// <c>homesec config migrate SEED.yaml &gt; homesec.yaml</c> as a user runs it from a shell, and <c>validate</c>'s
/// hint on a config of the Python HomeSec (the seed).
/// </summary>
public sealed class ConfigMigrateCliSpecs : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("homesec-migrate-").FullName;

    private static string RepoRoot => RepoPaths.Root;

    private static string SeedExample => Path.Combine(RepoRoot, "tests", "HomeSec.Tests", "Config", "Fixtures", "seed-example.yaml");

    /// <summary>The variables the seed's example names (values of the kind each must hold in HomeSec).</summary>
    private static readonly Dictionary<string, string> SeedVariables = new(StringComparer.Ordinal)
    {
        ["FRONT_DOOR_RTSP_URL"] = "rtsp://user:secret@192.168.1.20:554/stream1",
        ["DROPBOX_TOKEN"] = "a-dropbox-token",
        ["DB_DSN"] = "Host=127.0.0.1;Port=5432;Username=homesec;Password=secret;Database=homesec",
        ["MQTT_USERNAME"] = "homesec",
        ["MQTT_PASSWORD"] = "secret",
        ["OPENAI_API_KEY"] = "sk-test",
    };

    [Fact]
    public async Task Should_write_a_config_that_validates_and_the_notes_on_stderr_when_the_seed_example_is_migrated()
    {
        // Given the seed's example config, and the ONNX export of its YOLO model where the notes say to put it
        File.Copy(SeedExample, Path.Combine(_root, "config.yaml"));
        Directory.CreateDirectory(Path.Combine(_root, "models"));
        File.Copy(Path.Combine(RepoRoot, "tests", "models", "bench_detector.onnx"), Path.Combine(_root, "models", "yolo11n.onnx"));

        // When
        var (exitCode, stdout, stderr) = await RunAsync("config migrate config.yaml > homesec.yaml");
        var (validateExitCode, validateOutput, validateErrors) = await RunAsync("validate --config homesec.yaml", SeedVariables);

        // Then
        Assert.Equal(0, exitCode);
        Assert.Empty(stdout);
        var notes = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("note: ", StringComparison.Ordinal)).ToList();
        Assert.Contains("note: renamed filter.plugin to filter.backend", notes);
        Assert.Contains("note: renamed vlm.llm.model to vlm.config.model", notes);
        Assert.Contains(notes, n => n.StartsWith("note: renamed filter.max_workers to filter.config.inference_workers", StringComparison.Ordinal));
        Assert.Contains($"homesec: converted config.yaml with {notes.Count} note(s)", stderr, StringComparison.Ordinal);
        Assert.StartsWith("# Converted by `homesec config migrate` from config.yaml", File.ReadAllText(Path.Combine(_root, "homesec.yaml")), StringComparison.Ordinal);
        Assert.Equal("", validateErrors);
        Assert.Equal(0, validateExitCode);
        Assert.Contains("homesec.yaml is valid: 3 camera(s) (front_door: rtsp, ftp_camera: ftp, local_camera: local_folder), storage dropbox, filter yolo, vlm openai", validateOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_suggest_config_migrate_when_validate_is_given_a_seed_config()
    {
        // Given
        File.Copy(SeedExample, Path.Combine(_root, "config.yaml"));

        // When
        var (exitCode, _, stderr) = await RunAsync("validate --config config.yaml", SeedVariables);

        // Then the errors, and the way out
        Assert.Equal(1, exitCode);
        Assert.Contains("filter.plugin: unknown key", stderr, StringComparison.Ordinal);
        Assert.Contains("config.yaml looks like a config of the Python HomeSec: homesec config migrate config.yaml > homesec.yaml converts it", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_not_suggest_config_migrate_when_a_homesec_config_has_errors()
    {
        // Given HomeSec's own example with one bad value
        File.WriteAllText(Path.Combine(_root, "homesec.yaml"), File.ReadAllText(Path.Combine(RepoRoot, "config", "example.yaml"))
            .Replace("version: 1 ", "version: 7 ", StringComparison.Ordinal));

        // When
        var (exitCode, _, stderr) = await RunAsync("validate --config homesec.yaml");

        // Then
        Assert.Equal(1, exitCode);
        Assert.Contains("version: '7' is not allowed; allowed: 1", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("config migrate", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing.yaml", null, "homesec: there is no file ")]
    [InlineData("broken.yaml", "cameras: [{name: x\nstorage: {}\n", "homesec: broken.yaml is not a YAML config, so nothing was converted: (yaml): ")]
    [InlineData("list.yaml", "- a\n- b\n", "homesec: list.yaml is not a YAML config, so nothing was converted: (root): expected a mapping")]
    [InlineData("homesec.yaml", "cameras: []\nstorage: {backend: local, config: {root: ./storage}}\n", "homesec: homesec.yaml has none of the Python HomeSec's keys")]
    public async Task Should_say_why_in_one_sentence_and_exit_2_when_the_file_cannot_be_migrated(string file, string? content, string message)
    {
        // Given
        if (content is not null)
        {
            File.WriteAllText(Path.Combine(_root, file), content);
        }

        // When
        var (exitCode, stdout, stderr) = await RunAsync($"config migrate {file} > out.yaml");

        // Then
        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        Assert.Equal("", File.ReadAllText(Path.Combine(_root, "out.yaml")));
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(message, line, StringComparison.Ordinal);
    }

    /// <summary>Runs <c>homesec ARGUMENTS</c> through sh in the test folder, so a redirect works as in a terminal.</summary>
    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo("sh")
        {
            WorkingDirectory = _root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add($"dotnet '{Path.Combine(AppContext.BaseDirectory, "homesec.dll")}' {arguments}");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start sh");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
