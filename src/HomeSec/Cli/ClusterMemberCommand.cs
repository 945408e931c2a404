using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;

namespace HomeSec.Cli;

/// <summary>
/// <c>homesec cluster leave ADDRESS</c> and <c>homesec cluster down ADDRESS</c>, like Petabridge.Cmd's: asks a running
/// daemon (any member) to have a member leave gracefully, or to mark an unreachable one down, over its HTTP API (a write:
/// it needs a token or the daemon's config file).
/// </summary>
public static class ClusterMemberCommand
{
    public static Command BuildLeave() => Build("leave", "Ask a member to leave the cluster gracefully (its frames are answered or sent elsewhere; its daemon then exits).");

    public static Command BuildDown() => Build("down", "Mark a member down and remove it at once (for a GPU box that is gone and unreachable; its frames go elsewhere).");

    private static Command Build(string verb, string description)
    {
        var url = new Option<string?>("--url") { Description = "The HTTP address of a daemon in the cluster (default http://127.0.0.1:8080)." };
        var config = new Option<FileInfo?>("--config", "-c") { Description = "The daemon's config file: its health.host and health.port give the address, its state folder the token." };
        var address = new Argument<string>("address") { Description = "The member: its address as `homesec inspect cluster` prints it, or host:port." };
        var command = new Command(verb, description) { address, url, config };
        command.SetAction((parse, cancellationToken) => SendAsync(verb, parse.GetValue(address)!, parse.GetValue(url), parse.GetValue(config), cancellationToken));
        return command;
    }

    private static async Task<int> SendAsync(string verb, string member, string? givenUrl, FileInfo? configFile, CancellationToken cancellationToken)
    {
        if (InspectCommand.DaemonUrl(givenUrl, configFile, out var failure) is not { } url)
        {
            return failure;
        }

        using var http = InspectCommand.Client(url, configFile);
        try
        {
            using var response = await http.PostAsJsonAsync(new Uri($"/api/cluster/{verb}", UriKind.Relative), new { address = member }, cancellationToken);
            if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
            {
                await Console.Error.WriteLineAsync($"homesec: the daemon at {url} wants a token: give --config (the daemon's config file), or set HOMESEC_API_TOKEN to one from `homesec token create`.");
                return ExitCodes.Failure;
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            using var document = JsonDocument.Parse(body.Length == 0 ? "{}" : body);
            if (!response.IsSuccessStatusCode)
            {
                var error = document.RootElement.TryGetProperty("error", out var e) ? e.GetString() : $"HTTP {(int)response.StatusCode}";
                await Console.Error.WriteLineAsync($"homesec: the daemon at {url} refused: {error}.");
                return response.StatusCode is System.Net.HttpStatusCode.BadRequest or System.Net.HttpStatusCode.NotFound ? ExitCodes.Usage : ExitCodes.Failure;
            }

            Console.WriteLine(document.RootElement.GetProperty("detail").GetString());
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            await Console.Error.WriteLineAsync($"homesec: no daemon answers at {url} ({HomeSecCli.OneLine(ex.Message)}); is it running, and is health.enabled on?");
            return ExitCodes.Failure;
        }
    }
}
