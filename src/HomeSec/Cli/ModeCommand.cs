using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using HomeSec.Core.Alerts.Gate;

namespace HomeSec.Cli;

/// <summary><c>homesec mode [get|set MODE]</c>: reads or sets a running daemon's armed mode over its HTTP API.</summary>
public static class ModeCommand
{
    public static Command Build()
    {
        var command = new Command("mode", "Read or set the armed mode of a running daemon: home, away or off (saved; survives restarts).");
        command.Subcommands.Add(BuildGet());
        command.Subcommands.Add(BuildSet());
        return command;
    }

    private static (Option<string?> Url, Option<FileInfo?> Config) AddressOptions() =>
        (new Option<string?>("--url") { Description = "The daemon's HTTP address (default http://127.0.0.1:8080)." },
         new Option<FileInfo?>("--config", "-c") { Description = "The daemon's config file: its health.host and health.port give the address." });

    private static Command BuildGet()
    {
        var (url, config) = AddressOptions();
        var command = new Command("get", "Print the current armed mode.") { url, config };
        command.SetAction((parse, cancellationToken) => SendAsync(parse.GetValue(url), parse.GetValue(config), null, cancellationToken));
        return command;
    }

    private static Command BuildSet()
    {
        var (url, config) = AddressOptions();
        var mode = new Argument<string>("mode") { Description = "home, away or off." };
        var command = new Command("set", "Set the armed mode: home, away or off.") { url, config, mode };
        command.SetAction((parse, cancellationToken) => SendAsync(parse.GetValue(url), parse.GetValue(config), parse.GetValue(mode), cancellationToken));
        return command;
    }

    private static async Task<int> SendAsync(string? givenUrl, FileInfo? configFile, string? newMode, CancellationToken cancellationToken)
    {
        if (newMode is not null && !ArmedModes.TryParse(newMode, out _))
        {
            await Console.Error.WriteLineAsync($"mode: '{newMode}' is not allowed; allowed: {string.Join(", ", ArmedModes.ByWireName.Keys)}.");
            return ExitCodes.Usage;
        }

        if (InspectCommand.DaemonUrl(givenUrl, configFile, out var failure) is not { } url)
        {
            return failure;
        }

        using var http = InspectCommand.Client(url, configFile);
        try
        {
            using var response = newMode is null
                ? await http.GetAsync(new Uri("/api/mode", UriKind.Relative), cancellationToken)
                : await http.PutAsJsonAsync(new Uri("/api/mode", UriKind.Relative), new { mode = newMode }, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            using var document = JsonDocument.Parse(body.Length == 0 ? "{}" : body);
            if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
            {
                await Console.Error.WriteLineAsync($"homesec: the daemon at {url} wants a token: give --config (the daemon's config file), or set HOMESEC_API_TOKEN to one from `homesec token create`.");
                return ExitCodes.Failure;
            }

            if (!response.IsSuccessStatusCode)
            {
                var error = document.RootElement.TryGetProperty("error", out var e) ? e.GetString() : $"HTTP {(int)response.StatusCode}";
                await Console.Error.WriteLineAsync($"homesec: the daemon at {url} refused: {error}.");
                return ExitCodes.Failure;
            }

            Console.WriteLine(document.RootElement.GetProperty("mode").GetString());
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            await Console.Error.WriteLineAsync($"homesec: no daemon answers at {url} ({HomeSecCli.OneLine(ex.Message)}); is it running, and is health.enabled on?");
            return ExitCodes.Failure;
        }
    }
}
