using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace HomeSec.Cli;

/// <summary><c>homesec logs [-f]</c>: a running daemon's recent log lines, and with <c>-f</c> each new one as it is written (GET /api/logs, /api/logs/stream).</summary>
public static class LogsCommand
{
    public static Command Build()
    {
        var url = new Option<string?>("--url") { Description = "The daemon's HTTP address (default http://127.0.0.1:8080)." };
        var config = new Option<FileInfo?>("--config", "-c") { Description = "The daemon's config file: its health.host and health.port give the address, its state folder the token." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines as the daemon writes them, until Ctrl-C." };
        var lines = new Option<int>("--lines", "-n") { Description = "How many of the kept lines to print first (default 100, at most 2000).", DefaultValueFactory = _ => 100 };
        var level = new Option<string>("--level") { Description = "The lowest level to print: info, warning, error or critical (default info).", DefaultValueFactory = _ => "info" };
        var command = new Command("logs", "Print a running daemon's recent log lines; with -f, follow them live.") { url, config, follow, lines, level };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(url), parse.GetValue(config), parse.GetValue(follow), parse.GetValue(lines), parse.GetValue(level)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? givenUrl, FileInfo? configFile, bool follow, int lines, string level, CancellationToken cancellationToken)
    {
        if (lines is < 0 or > 2000)
        {
            await Console.Error.WriteLineAsync($"--lines: {lines} is not allowed; give 0 to 2000.");
            return ExitCodes.Usage;
        }

        if (!Hosting.LogTail.TryParseLevel(level, out _))
        {
            await Console.Error.WriteLineAsync($"--level: '{level}' is not allowed; allowed: info, warning, error, critical.");
            return ExitCodes.Usage;
        }

        if (InspectCommand.DaemonUrl(givenUrl, configFile, out var failure) is not { } url)
        {
            return failure;
        }

        using var http = InspectCommand.Client(url, configFile);
        http.Timeout = follow ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(10);
        var query = $"?lines={lines.ToString(CultureInfo.InvariantCulture)}&level={Uri.EscapeDataString(level)}";
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri((follow ? "/api/logs/stream" : "/api/logs") + query, UriKind.Relative));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
            {
                await Console.Error.WriteLineAsync($"homesec: the daemon at {url} wants a token: give --config (the daemon's config file), or set HOMESEC_API_TOKEN to one from `homesec token create`.");
                return ExitCodes.Failure;
            }

            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                await Console.Error.WriteLineAsync($"homesec: the daemon at {url} refused: {ErrorOf(body, response)}.");
                return ExitCodes.Failure;
            }

            if (!follow)
            {
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                foreach (var line in document.RootElement.GetProperty("lines").EnumerateArray())
                {
                    Console.WriteLine(Format(line));
                }

                return ExitCodes.Ok;
            }

            await FollowAsync(response, cancellationToken);
            await Console.Error.WriteLineAsync($"homesec: the daemon at {url} closed the log stream (stopping?).");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok; // Ctrl-C: the way to stop following
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or IOException)
        {
            await Console.Error.WriteLineAsync($"homesec: no daemon answers at {url} ({HomeSecCli.OneLine(ex.Message)}); is it running, and is health.enabled on?");
            return ExitCodes.Failure;
        }
    }

    /// <summary>Server-Sent Events: a <c>log</c> event's data is one line; a <c>gap</c> event says how many this reader lost.</summary>
    private static async Task FollowAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        var eventName = "message";
        while (await reader.ReadLineAsync(cancellationToken) is { } text)
        {
            if (text.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = text["event: ".Length..];
            }
            else if (text.StartsWith("data: ", StringComparison.Ordinal))
            {
                var data = text["data: ".Length..];
                if (eventName == "log")
                {
                    using var document = JsonDocument.Parse(data);
                    Console.WriteLine(Format(document.RootElement));
                }
                else if (eventName == "gap")
                {
                    Console.WriteLine($"… {data} line(s) not shown: this terminal fell behind");
                }
            }
            else if (text.Length == 0)
            {
                eventName = "message";
            }
        }
    }

    private static string Format(JsonElement line) =>
        $"{line.GetProperty("at").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)} " +
        $"{line.GetProperty("level").GetString(),-8} {line.GetProperty("category").GetString()}: {line.GetProperty("message").GetString()}";

    private static string ErrorOf(string body, HttpResponseMessage response)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("error", out var error) ? error.GetString() ?? "" : $"HTTP {(int)response.StatusCode}";
        }
        catch (JsonException)
        {
            return $"HTTP {(int)response.StatusCode}";
        }
    }
}
