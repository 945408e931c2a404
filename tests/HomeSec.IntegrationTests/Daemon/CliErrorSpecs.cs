using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Core.Config;
using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>
/// The homesec executable on the errors a user meets: one clear sentence naming what to change, an exit
/// code a script can test, and never a stack trace.
/// </summary>
public sealed class CliErrorSpecs : IDisposable
{
    private readonly DaemonSandbox _sandbox = new();

    [Fact]
    public async Task Should_name_health_port_and_exit_1_when_the_port_is_already_taken()
    {
        // Given
        using var squatter = new TcpListener(IPAddress.Loopback, _sandbox.HealthPort);
        squatter.Start();

        // When
        var (exitCode, output) = await DaemonProcess.RunToEndAsync(_sandbox.Root, "run", "--config", _sandbox.ConfigFile);

        // Then
        Assert.Equal(1, exitCode);
        Assert.Contains($"the address 127.0.0.1:{_sandbox.HealthPort} is already in use", output, StringComparison.Ordinal);
        Assert.Contains("change health.port (or health.host)", output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)); // nothing was started, so nothing else is logged
        AssertNoStackTrace(output);
    }

    [Fact]
    public async Task Should_reject_the_name_in_validate_when_a_notifier_name_has_a_space()
    {
        // Given
        _sandbox.EditConfig(yaml => yaml.Replace("  - backend: log\n", "  - name: phone alerts\n    backend: log\n", StringComparison.Ordinal));

        // When
        var (exitCode, output) = await DaemonProcess.RunToEndAsync(_sandbox.Root, "validate", "--config", _sandbox.ConfigFile);

        // Then
        Assert.Equal(1, exitCode);
        Assert.Contains("notifiers[0].name: 'phone alerts' is not allowed; use letters, digits, '_' and '-'", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Fact]
    public async Task Should_give_line_and_column_and_exit_2_when_a_flow_map_is_left_unclosed()
    {
        // Given
        _sandbox.EditConfig(yaml => yaml.Replace("storage:\n", "extra: {a: [1, 2}\nstorage:\n", StringComparison.Ordinal)
            .Replace("cameras:\n", "cameras: [{name: x\n", StringComparison.Ordinal));

        // When
        var (exitCode, output) = await DaemonProcess.RunToEndAsync(_sandbox.Root, "run", "--config", _sandbox.ConfigFile);

        // Then
        Assert.Equal(2, exitCode);
        Assert.Matches(@"\(yaml\): .* \(line \d+, column \d+\)", output);
        AssertNoStackTrace(output);
    }

    [Fact]
    public async Task Should_ask_whether_postgres_runs_and_exit_1_when_clips_cannot_reach_the_state_store()
    {
        // Given
        var port = DaemonProcess.FreeTcpPort().ToString(CultureInfo.InvariantCulture);
        using var sandbox = new DaemonSandbox($"Host=127.0.0.1;Port={port};Database=homesec;Username=homesec;Password=hunter2;Timeout=3");

        // When
        var list = await sandbox.RunCliAsync("clips", "list");
        var show = await sandbox.RunCliAsync("clips", "show", "front_door-20261124T081500Z");

        // Then
        Assert.All(new[] { list, show }, result =>
        {
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("homesec: cannot reach the state store (postgres: ", result.Output, StringComparison.Ordinal);
            Assert.Contains("is PostgreSQL running", result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", result.Output, StringComparison.Ordinal);
            AssertNoStackTrace(result.Output);
        });
    }

    [Fact]
    public async Task Should_say_where_it_looked_and_exit_1_when_clips_runs_in_another_directory()
    {
        // Given a relative state_store.path, and a working directory without it
        _sandbox.EditConfig(yaml => yaml.Replace($"path: {Path.Combine(_sandbox.Root, "homesec.db")}", "path: data/homesec.db", StringComparison.Ordinal));
        var elsewhere = Directory.CreateDirectory(Path.Combine(_sandbox.Root, "elsewhere")).FullName;

        // When
        var (exitCode, output) = await DaemonProcess.RunToEndAsync(elsewhere, "clips", "list", "--config", _sandbox.ConfigFile);

        // Then
        Assert.Equal(1, exitCode);
        Assert.Contains($"homesec: no state store at {Path.Combine(elsewhere, "data", "homesec.db")}", output, StringComparison.Ordinal);
        Assert.Contains("make state_store.path absolute", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Fact]
    public async Task Should_list_clips_when_the_camera_url_variables_are_not_set()
    {
        // Given an RTSP camera whose URL variable is not set, and a state store
        _sandbox.EditConfig(yaml => yaml.Replace("cameras:\n", "cameras:\n  - name: porch\n    source: {type: rtsp, config: {rtsp_url_env: HOMESEC_PORCH_URL_UNSET}}\n", StringComparison.Ordinal));
        var stateStore = AppConfigLoader.LoadStateStoreFile(_sandbox.ConfigFile);
        await ClipStore.For(stateStore).EnsureSchemaAsync(CancellationToken.None);

        // When
        var (exitCode, output) = await _sandbox.RunCliAsync("clips", "list");

        // Then
        Assert.Equal(0, exitCode);
        Assert.Contains("0 clip(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_list_the_allowed_statuses_and_exit_2_when_the_status_is_unknown()
    {
        // Given the sandbox config

        // When
        var (exitCode, output) = await _sandbox.RunCliAsync("clips", "list", "--status", "bogus");

        // Then
        Assert.Equal(2, exitCode);
        Assert.Contains("--status: 'bogus' is not a clip status; allowed: queued_local, uploaded, analyzed, done, error, deleted.", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Fact]
    public async Task Should_exit_3_and_find_the_daemon_from_the_config_when_it_reports_degraded()
    {
        // Given a daemon (stand-in) on the config's health port that says it is degraded
        using var daemon = FakeHealth.Start(_sandbox.HealthPort, HttpStatusCode.ServiceUnavailable, """{"status":"degraded"}""");

        // When
        var (exitCode, output) = await DaemonProcess.RunToEndAsync(_sandbox.Root, "inspect", "--config", _sandbox.ConfigFile);

        // Then
        Assert.Equal(3, exitCode);
        Assert.Contains("status       degraded", output, StringComparison.Ordinal);
        Assert.Contains("reports status 'degraded', not ok", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Fact]
    public async Task Should_print_one_line_and_exit_1_when_a_command_meets_an_unexpected_error()
    {
        // Given a daemon (stand-in) whose /health answer is not JSON
        using var daemon = FakeHealth.Start(_sandbox.HealthPort, HttpStatusCode.OK, "<html>not json</html>");
        var url = $"http://127.0.0.1:{_sandbox.HealthPort}";

        // When
        var (exitCode, output) = await DaemonProcess.RunToEndAsync(_sandbox.Root, "inspect", "--url", url);
        var (debugExitCode, debugOutput) = await DaemonProcess.RunToEndAsync(_sandbox.Root,
            new Dictionary<string, string> { ["HOMESEC_DEBUG"] = "1" }, "inspect", "--url", url);

        // Then
        Assert.Equal(1, exitCode);
        Assert.StartsWith("homesec: unexpected error: ", output, StringComparison.Ordinal);
        Assert.EndsWith("; run with HOMESEC_DEBUG=1 for details", output.TrimEnd(), StringComparison.Ordinal);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        AssertNoStackTrace(output);
        Assert.Equal(1, debugExitCode);
        Assert.Contains("   at ", debugOutput, StringComparison.Ordinal);
    }

    public void Dispose() => _sandbox.Dispose();

    private static void AssertNoStackTrace(string output) =>
        Assert.DoesNotContain(output.Split('\n'), line => line.StartsWith("   at ", StringComparison.Ordinal));

    /// <summary>Answers every request with one status and body, as a daemon's /health would.</summary>
    private sealed class FakeHealth : IDisposable
    {
        private readonly HttpListener _listener = new();

        private FakeHealth(int port, HttpStatusCode status, string body)
        {
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }

                    var bytes = Encoding.UTF8.GetBytes(body);
                    context.Response.StatusCode = (int)status;
                    context.Response.ContentType = "application/json";
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
            });
        }

        public static FakeHealth Start(int port, HttpStatusCode status, string body) => new(port, status, body);

        public void Dispose() => _listener.Close();
    }
}
