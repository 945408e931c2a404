using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace HomeSec.Cli;

/// <summary>
/// <c>homesec inspect</c>: what a running daemon is doing, read from its HTTP API (<c>/health</c>):
/// cameras, state store, clips in flight, inference pool and notifier outboxes.
/// </summary>
public static class InspectCommand
{
    public static Command Build()
    {
        var url = new Option<string?>("--url") { Description = "The daemon's HTTP address (default http://127.0.0.1:8080)." };
        var config = new Option<FileInfo?>("--config", "-c") { Description = "The daemon's config file: its health.host and health.port give the address." };
        var json = new Option<bool>("--json") { Description = "The daemon's answer as JSON." };
        var live = new Option<bool>("--live")
        {
            Description = "Only ask whether the daemon is alive (GET /health/live), whatever its cameras do: exit 0 when it is, 1 when not (a container HEALTHCHECK).",
        };
        var command = new Command("inspect", "Show what a running daemon is doing: cameras, state store, clips in flight, inference, notifier outboxes. " +
            "Exit code 3 when its status is not ok.") { url, config, json, live };
        command.SetAction((parse, cancellationToken) =>
            InspectAsync(parse.GetValue(url), parse.GetValue(config), parse.GetValue(json), parse.GetValue(live), cancellationToken));
        command.Subcommands.Add(BuildCluster());
        command.Subcommands.Add(BuildView("inference", "Show every inference pool the daemon knows of (its own and, on a cluster's NVR, each inference node's): " +
            "provider, device, queue, frames/s and p50/p99 of the last minute. Exit code 3 when a node does not answer.", "/health/inference", PrintInference,
            root => root.GetProperty("nodes").EnumerateArray().Any(n => !n.GetProperty("answered").GetBoolean()) ? ExitCodes.Degraded : ExitCodes.Ok));
        command.Subcommands.Add(BuildActors());
        return command;
    }

    /// <summary>A read-only view of the health port, printed by <paramref name="print"/> (which gives the exit code).</summary>
    private static Command BuildView(string name, string description, string path, Action<JsonElement> print, Func<JsonElement, int> exitCode)
    {
        var url = new Option<string?>("--url") { Description = "The daemon's HTTP address (default http://127.0.0.1:8080)." };
        var config = new Option<FileInfo?>("--config", "-c") { Description = "The daemon's config file: its health.host and health.port give the address." };
        var json = new Option<bool>("--json") { Description = "The daemon's answer as JSON." };
        var command = new Command(name, description) { url, config, json };
        command.SetAction((parse, cancellationToken) => ViewAsync(parse.GetValue(url), parse.GetValue(config), parse.GetValue(json), path, print, exitCode, cancellationToken));
        return command;
    }

    /// <summary><c>homesec inspect actors</c>: the actor tree, like Petabridge.Cmd's <c>actor hierarchy</c>.</summary>
    private static Command BuildActors()
    {
        var url = new Option<string?>("--url") { Description = "The daemon's HTTP address (default http://127.0.0.1:8080)." };
        var config = new Option<FileInfo?>("--config", "-c") { Description = "The daemon's config file: its health.host and health.port give the address." };
        var json = new Option<bool>("--json") { Description = "The daemon's answer as JSON." };
        var depth = new Option<int>("--depth") { Description = "How many levels below /user and /system to show, 0 to 32 (default 4; the child counts cover every level).", DefaultValueFactory = _ => 4 };
        var command = new Command("actors", "Show the daemon's actor tree: each actor's name, type, child count and waiting messages.") { url, config, json, depth };
        command.SetAction((parse, cancellationToken) =>
        {
            var levels = parse.GetValue(depth);
            if (levels is < 0 or > 32)
            {
                Console.Error.WriteLine($"--depth: {levels} is not allowed; give 0 to 32.");
                return Task.FromResult(ExitCodes.Usage);
            }

            return ViewAsync(parse.GetValue(url), parse.GetValue(config), parse.GetValue(json),
                $"/health/actors?depth={levels.ToString(CultureInfo.InvariantCulture)}", PrintActors, _ => ExitCodes.Ok, cancellationToken);
        });
        return command;
    }

    /// <summary>GETs <paramref name="path"/>, prints it (as JSON with --json) and gives the exit code its content calls for.</summary>
    private static async Task<int> ViewAsync(
        string? givenAddress, FileInfo? configFile, bool json, string path, Action<JsonElement> print, Func<JsonElement, int> exitCode, CancellationToken cancellationToken)
    {
        if (DaemonUrl(givenAddress, configFile, out var failure) is not { } url)
        {
            return failure;
        }

        using var http = Client(url, configFile);
        string body;
        System.Net.HttpStatusCode code;
        try
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
            code = response.StatusCode;
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"no daemon answers at {url} ({HomeSecCli.OneLine(ex.Message)}); is it running, and is health.enabled on?");
            return ExitCodes.Failure;
        }

        if (code == System.Net.HttpStatusCode.Unauthorized)
        {
            await Console.Error.WriteLineAsync($"homesec: the daemon at {url} wants a token for {path}: give --config (the daemon's config file), or set HOMESEC_API_TOKEN to one from `homesec token create`.");
            return ExitCodes.Failure;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            await Console.Error.WriteLineAsync($"homesec: the daemon at {url} answered {path} with HTTP {(int)code} and no JSON: {HomeSecCli.OneLine(body.Length > 200 ? body[..200] : body)}");
            return ExitCodes.Failure;
        }

        using (document)
        {
            if (document.RootElement.TryGetProperty("error", out var error))
            {
                await Console.Error.WriteLineAsync($"homesec: the daemon at {url} says: {error.GetString()}.");
                return ExitCodes.Failure;
            }

            if (json)
            {
                Console.WriteLine(body);
            }
            else
            {
                print(document.RootElement);
            }

            return exitCode(document.RootElement);
        }
    }

    private static void PrintInference(JsonElement root)
    {
        var nodes = root.GetProperty("nodes").EnumerateArray().ToList();
        if (nodes.Count == 0)
        {
            Console.WriteLine("inference    none here: no filter uses a model on this node, and no inference node is known");
            return;
        }

        var table = TerminalOutput.Table("NODE", "PROVIDER", "DEVICE", "QUEUE", "IN FLIGHT", "FRAMES/S", "P50 MS", "P99 MS", "FRAMES");
        foreach (var node in nodes)
        {
            var name = Text(node, "address") + (node.GetProperty("self").GetBoolean() ? " (this node)" : "");
            var routed = node.GetProperty("routed");
            var inFlight = routed.ValueKind == JsonValueKind.Object ? routed.GetProperty("in_flight").GetInt32().ToString(CultureInfo.InvariantCulture) : "-";
            if (node.GetProperty("pool") is not { ValueKind: JsonValueKind.Object } pool)
            {
                table.AddRow(TerminalOutput.Cell(name), TerminalOutput.Cell(Text(node, "problem").ToUpperInvariant(), Color.Red), TerminalOutput.Cell(""),
                    TerminalOutput.Cell(""), TerminalOutput.Cell(inFlight), TerminalOutput.Cell(""), TerminalOutput.Cell(""), TerminalOutput.Cell(""), TerminalOutput.Cell(""));
                continue;
            }

            var recent = pool.GetProperty("recent");
            table.AddRow(
                TerminalOutput.Cell(name),
                TerminalOutput.Cell(Text(pool, "execution_provider")),
                TerminalOutput.Cell(Text(pool, "device")),
                TerminalOutput.Cell(pool.GetProperty("queued").GetInt32().ToString(CultureInfo.InvariantCulture)),
                TerminalOutput.Cell(inFlight),
                TerminalOutput.Cell(recent.GetProperty("frames_per_second").GetDouble().ToString("0.#", CultureInfo.InvariantCulture)),
                TerminalOutput.Cell(recent.GetProperty("p50_ms").GetDouble().ToString("0.#", CultureInfo.InvariantCulture)),
                TerminalOutput.Cell(recent.GetProperty("p99_ms").GetDouble().ToString("0.#", CultureInfo.InvariantCulture)),
                TerminalOutput.Cell(pool.GetProperty("frames").GetInt64().ToString(CultureInfo.InvariantCulture)));
        }

        TerminalOutput.Write(table);
        Console.WriteLine("frames/s, p50 and p99: the runs (batches) of the last minute");
    }

    private static void PrintActors(JsonElement root)
    {
        void Walk(JsonElement actor, string indent)
        {
            var children = actor.GetProperty("children").GetInt32();
            var queued = actor.GetProperty("messages").GetInt32();
            Console.WriteLine($"{indent}{Text(actor, "name")}  [{Text(actor, "type")}]" +
                (children > 0 ? $"  {children} child{(children == 1 ? "" : "ren")}" : "") +
                (queued > 0 ? $"  {queued} waiting" : ""));
            if (actor.TryGetProperty("shown", out var shown))
            {
                foreach (var child in shown.EnumerateArray())
                {
                    Walk(child, indent + "  ");
                }

                var hidden = children - shown.GetArrayLength();
                if (hidden > 0)
                {
                    Console.WriteLine($"{indent}  … {hidden} more");
                }
            }
        }

        foreach (var top in root.GetProperty("roots").EnumerateArray())
        {
            Walk(top, "");
        }

        Console.WriteLine($"{root.GetProperty("actors").GetInt32()} actors{(root.GetProperty("truncated").GetBoolean() ? " (more than shown: use --depth or --json)" : "")}");
    }

    /// <summary><c>homesec inspect cluster</c>: the members as the daemon sees them (GET /health/cluster), like Petabridge.Cmd's <c>cluster show</c>.</summary>
    private static Command BuildCluster() =>
        BuildView("cluster", "Show the cluster as a running daemon sees it: members, roles, status, reachability, up since, leader. " +
            "Exit code 3 when a member is unreachable.", "/health/cluster", PrintCluster,
            root => root.TryGetProperty("members", out var members) && members.EnumerateArray().Any(m => !m.GetProperty("reachable").GetBoolean())
                ? ExitCodes.Degraded
                : ExitCodes.Ok);

    private static void PrintCluster(JsonElement root)
    {
        if (!root.GetProperty("enabled").GetBoolean())
        {
            Console.WriteLine("cluster      off (cluster.enabled is false): a single process");
        }
        else
        {
            Console.WriteLine($"this node    {Text(root, "self")} ({string.Join(", ", root.GetProperty("self_roles").EnumerateArray().Select(r => r.GetString()))})");
            Console.WriteLine($"leader       {Text(root, "leader")}");
            Console.WriteLine();
            var table = TerminalOutput.Table("ADDRESS", "ROLES", "STATUS", "REACHABLE", "UP SINCE (UTC)", "");
            foreach (var member in root.GetProperty("members").EnumerateArray())
            {
                var reachable = member.GetProperty("reachable").GetBoolean();
                table.AddRow(
                    TerminalOutput.Cell(Text(member, "address")),
                    TerminalOutput.Cell(string.Join(", ", member.GetProperty("roles").EnumerateArray().Select(r => r.GetString()))),
                    TerminalOutput.Cell(Text(member, "status")),
                    TerminalOutput.Cell(reachable ? "yes" : "NO", reachable ? Color.Green : Color.Red),
                    TerminalOutput.Cell(member.TryGetProperty("up_since", out var since) && since.ValueKind == JsonValueKind.String
                        ? since.GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
                        : "-"),
                    TerminalOutput.Cell(string.Join(" ", new[] { member.GetProperty("leader").GetBoolean() ? "leader" : "", member.GetProperty("self").GetBoolean() ? "self" : "" }.Where(s => s.Length > 0))));
            }

            TerminalOutput.Write(table);
        }
    }

    private static async Task<int> InspectAsync(string? givenAddress, FileInfo? configFile, bool json, bool live, CancellationToken cancellationToken)
    {
        if (DaemonUrl(givenAddress, configFile, out var failure) is not { } url)
        {
            return failure;
        }

        using var http = Client(url, configFile);
        if (live)
        {
            return await CheckLiveAsync(http, url, cancellationToken);
        }

        string body;
        try
        {
            using var response = await http.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"no daemon answers at {url} ({ex.Message}); is it running, and is health.enabled on?");
            return ExitCodes.Failure;
        }

        using var document = JsonDocument.Parse(body);
        if (json)
        {
            Console.WriteLine(body);
        }
        else
        {
            Print(document.RootElement);
        }

        var status = Text(document.RootElement, "status");
        if (status != "ok")
        {
            await Console.Error.WriteLineAsync($"homesec: the daemon at {url} reports status '{status}', not ok; the lines above (or GET /health) say which component.");
            return ExitCodes.Degraded;
        }

        return ExitCodes.Ok;
    }

    /// <summary>The daemon's address from --url, or from --config's health.host/health.port; null (with the exit code) after printing why not.</summary>
    /// <summary>
    /// A client for the daemon's HTTP API with a token: <c>HOMESEC_API_TOKEN</c> when set, else the CLI token the daemon
    /// keeps in the config's local state folder (readable by who may change the daemon anyway).
    /// </summary>
    internal static HttpClient Client(Uri url, FileInfo? configFile)
    {
        var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
        var token = Environment.GetEnvironmentVariable("HOMESEC_API_TOKEN")?.Trim();
        if (string.IsNullOrEmpty(token) && configFile is not null)
        {
            try
            {
                token = HomeSec.Core.Web.Credentials.ReadCliToken(HomeSec.Core.Config.AppConfigLoader.LoadStateStoreFile(configFile.FullName).LocalStateDir);
            }
            catch (HomeSec.Core.Config.ConfigException)
            {
                token = null; // the request then says what the daemon thinks (401 or the answer)
            }
        }

        if (!string.IsNullOrEmpty(token))
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    internal static Uri? DaemonUrl(string? givenAddress, FileInfo? configFile, out int failure)
    {
        failure = ExitCodes.Ok;
        if (givenAddress is not null && configFile is not null)
        {
            Console.Error.WriteLine("homesec: give --url or --config, not both.");
            failure = ExitCodes.Usage;
            return null;
        }

        var address = givenAddress ?? "http://127.0.0.1:8080";
        if (configFile is not null)
        {
            HomeSec.Core.Config.HealthConfig health;
            try
            {
                health = HomeSec.Core.Config.AppConfigLoader.LoadHealthFile(configFile.FullName);
            }
            catch (HomeSec.Core.Config.ConfigException ex)
            {
                ValidateCommand.PrintErrors(configFile, ex, Console.Error);
                failure = ExitCodes.Usage;
                return null;
            }

            if (!health.Enabled)
            {
                Console.Error.WriteLine($"homesec: health.enabled is false in {configFile.Name}, so the daemon opens no HTTP port to inspect; set it to true.");
                failure = ExitCodes.Usage;
                return null;
            }

            address = $"http://{ConnectHost(health.Host)}:{health.Port.ToString(CultureInfo.InvariantCulture)}";
        }

        if (!Uri.TryCreate(address, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            Console.Error.WriteLine($"--url: '{address}' is not an http(s) address, e.g. http://127.0.0.1:8080");
            failure = ExitCodes.Usage;
            return null;
        }

        return url;
    }

    /// <summary>The container healthcheck: one line, exit 0 when the daemon is alive, 1 otherwise (also when nothing answers).</summary>
    private static async Task<int> CheckLiveAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("/health/live", UriKind.Relative), cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                Console.WriteLine($"alive: the daemon at {url} answers");
                return ExitCodes.Ok;
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            await Console.Error.WriteLineAsync($"not alive: the daemon at {url} answers {(int)response.StatusCode} on /health/live: {HomeSecCli.OneLine(body)}");
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"not alive: no daemon answers at {url} ({ex.Message})");
            return ExitCodes.Failure;
        }
    }

    /// <summary>A daemon listening on every address (0.0.0.0, ::) is reached on loopback.</summary>
    private static string ConnectHost(string host) => host switch
    {
        "0.0.0.0" or "*" or "+" or "" => "127.0.0.1",
        "::" or "[::]" => "[::1]",
        _ when host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') => $"[{host}]",
        _ => host,
    };

    private static void Print(JsonElement health)
    {
        Console.WriteLine($"status       {Text(health, "status")}");
        if (health.TryGetProperty("sources", out var sources))
        {
            Console.WriteLine();
            var table = TerminalOutput.Table("CAMERA", "HEALTHY", "LAST FRAME/POLL (UTC)", "DETAIL");
            foreach (var camera in sources.EnumerateObject())
            {
                var heartbeat = camera.Value.GetProperty("last_heartbeat") is { ValueKind: JsonValueKind.String } at
                    ? at.GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
                    : "-";
                var healthy = camera.Value.GetProperty("healthy").GetBoolean();
                table.AddRow(
                    TerminalOutput.Cell(camera.Name),
                    TerminalOutput.Cell(healthy ? "yes" : "NO", healthy ? Color.Green : Color.Red),
                    TerminalOutput.Cell(heartbeat),
                    TerminalOutput.Cell(Text(camera.Value, "detail")));
            }

            TerminalOutput.Write(table);
        }

        if (health.TryGetProperty("state_store", out var store))
        {
            Console.WriteLine();
            Console.WriteLine($"state store  {Text(store, "mode")}, {store.GetProperty("spooled_events").GetInt32()} event(s) spooled, {store.GetProperty("dropped_events").GetInt64()} dropped" +
                (store.GetProperty("last_error").ValueKind == JsonValueKind.String ? $", last error: {Text(store, "last_error")}" : ""));
        }

        if (health.TryGetProperty("clips", out var clips))
        {
            Console.WriteLine($"clips        {clips.GetProperty("in_flight").GetInt32()} in flight, {clips.GetProperty("waiting").GetInt32()} waiting");
            if (clips.TryGetProperty("running", out var running))
            {
                foreach (var clip in running.EnumerateArray())
                {
                    Console.WriteLine($"             {clip.GetString()}");
                }
            }
        }

        if (health.TryGetProperty("inference", out var inference) && inference.GetProperty("enabled").GetBoolean() && inference.TryGetProperty("model", out _))
        {
            Console.WriteLine($"inference    {Text(inference, "model")} on {Text(inference, "execution_provider")}, {inference.GetProperty("workers").GetInt32()} worker(s), " +
                $"{inference.GetProperty("frames").GetInt64()} frames in {inference.GetProperty("batches").GetInt64()} batches, last {inference.GetProperty("last_batch_ms").GetDouble():0.#} ms");
        }

        if (health.TryGetProperty("inference", out var routed) && routed.TryGetProperty("routing", out var routing) && routing.ValueKind == JsonValueKind.Object)
        {
            Console.WriteLine($"routing      {routing.GetProperty("sent_remote").GetInt64()} frames to inference nodes, {routing.GetProperty("sent_local").GetInt64()} here, " +
                $"{routing.GetProperty("resent").GetInt64()} re-sent, {routing.GetProperty("failed").GetInt64()} failed");
            foreach (var node in routing.GetProperty("nodes").EnumerateArray())
            {
                Console.WriteLine($"             {Text(node, "address")}: {(node.GetProperty("ready").GetBoolean() ? "ready" : node.GetProperty("reachable").GetBoolean() ? "starting" : "UNREACHABLE")}, " +
                    $"{node.GetProperty("in_flight").GetInt32()} in flight, {node.GetProperty("sent").GetInt64()} sent, via {Text(node, "transport")}");
            }
        }

        if (health.TryGetProperty("cluster", out var cluster) && cluster.GetProperty("enabled").GetBoolean())
        {
            Console.WriteLine($"cluster      {cluster.GetProperty("members").GetInt32()} member(s), {cluster.GetProperty("unreachable").GetInt32()} unreachable, leader {Text(cluster, "leader")} (homesec inspect cluster)");
        }

        if (health.TryGetProperty("notifiers", out var notifiers))
        {
            foreach (var notifier in notifiers.EnumerateObject())
            {
                Console.WriteLine($"notifier     {notifier.Name}: {notifier.Value.GetProperty("outbox_waiting").GetInt32()} alert(s) waiting, {notifier.Value.GetProperty("outbox_dropped").GetInt64()} dropped");
            }
        }
    }

    private static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "-";
}
