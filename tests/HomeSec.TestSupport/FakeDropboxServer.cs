using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace HomeSec.TestSupport;

/// <summary>
/// A Dropbox HTTP API v2 server on 127.0.0.1 for tests. It keeps files, upload sessions and shared links in
/// memory, answers like Dropbox (409 with an <c>error_summary</c> for route errors, 401 for a bad token),
/// checks the upload contract (offsets, the argument header) and records every request. A test's
/// <c>intercept</c> may answer a request itself (429, 500, …); null lets the fake answer it.
/// </summary>
public sealed class FakeDropboxServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<DropboxRequest, int, DropboxReply?>? _intercept;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _serving;
    private readonly ConcurrentDictionary<string, byte> _validTokens = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MemoryStream> _sessions = new(StringComparer.Ordinal);
    private int _requestCount;
    private int _tokensIssued;
    private int _linksCreated;

    /// <param name="intercept">Gets each request and its 0-based index; returns a reply, or null for the fake's own answer.</param>
    public FakeDropboxServer(Func<DropboxRequest, int, DropboxReply?>? intercept = null, params string[] validTokens)
    {
        _intercept = intercept;
        foreach (var token in validTokens)
        {
            _validTokens[token] = 0;
        }

        Port = LoopbackPort.Free();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public string ApiUrl => $"{BaseUrl}/2";

    /// <summary>The access tokens the OAuth endpoint hands out are <c>access-1</c>, <c>access-2</c>, …, valid this long.</summary>
    public int TokenLifetimeSeconds { get; set; } = 14400;

    public ConcurrentQueue<DropboxRequest> Requests { get; } = new();

    /// <summary>Stored files by path.</summary>
    public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Shared links by path.</summary>
    public ConcurrentDictionary<string, string> Links { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<DropboxRequest> To(string route) => Requests.Where(r => r.Path == "/2/" + route || r.Path == "/" + route).ToList();

    public static DropboxReply RouteError(string summary, int status = 409) =>
        new(status, new JsonObject { ["error_summary"] = summary, ["error"] = new JsonObject { [".tag"] = summary.Split('/')[0] } }.ToJsonString());

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Close();
        try
        {
            await _serving;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
            // the listener was closed under a pending accept
        }

        _stopping.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var context = await _listener.GetContextAsync();
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, _stopping.Token);
            var request = new DropboxRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Headers["Authorization"],
                context.Request.Headers["Dropbox-API-Arg"], context.Request.ContentType, body.ToArray(), DateTimeOffset.UtcNow);
            Requests.Enqueue(request);
            var reply = _intercept?.Invoke(request, Interlocked.Increment(ref _requestCount) - 1) ?? Answer(request);
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = reply.ContentType;
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }

            var bytes = reply.Bytes ?? Encoding.UTF8.GetBytes(reply.Body);
            await context.Response.OutputStream.WriteAsync(bytes, _stopping.Token);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // the client gave up or the server is stopping
        }
    }

    private DropboxReply Answer(DropboxRequest request)
    {
        if (request.Path == "/oauth2/token")
        {
            return IssueToken(request);
        }

        if (request.Authorization is not { } authorization || !authorization.StartsWith("Bearer ", StringComparison.Ordinal)
            || !_validTokens.ContainsKey(authorization["Bearer ".Length..]))
        {
            return RouteError("invalid_access_token/..", 401);
        }

        lock (_gate)
        {
            return request.Path switch
            {
                "/2/files/get_metadata" => Metadata(request.Json["path"]!.GetValue<string>()),
                "/2/files/upload" => Upload(request),
                "/2/files/upload_session/start" => StartSession(request),
                "/2/files/upload_session/append_v2" => AppendToSession(request),
                "/2/files/upload_session/finish" => FinishSession(request),
                "/2/files/download" => Download(request),
                "/2/files/delete_v2" => Delete(request.Json["path"]!.GetValue<string>()),
                "/2/sharing/create_shared_link_with_settings" => CreateLink(request.Json["path"]!.GetValue<string>()),
                "/2/sharing/list_shared_links" => ListLinks(request.Json["path"]!.GetValue<string>()),
                _ => new DropboxReply(404, "no such route", ContentType: "text/plain"),
            };
        }
    }

    private DropboxReply IssueToken(DropboxRequest request)
    {
        var form = request.Form;
        if (form.GetValueOrDefault("grant_type") != "refresh_token" || string.IsNullOrEmpty(form.GetValueOrDefault("refresh_token")))
        {
            return new DropboxReply(400, new JsonObject { ["error"] = "invalid_grant", ["error_description"] = "refresh token is malformed" }.ToJsonString());
        }

        var token = $"access-{Interlocked.Increment(ref _tokensIssued)}";
        _validTokens[token] = 0;
        return new DropboxReply(200, new JsonObject { ["access_token"] = token, ["token_type"] = "bearer", ["expires_in"] = TokenLifetimeSeconds }.ToJsonString());
    }

    private DropboxReply Metadata(string path) => Files.TryGetValue(path, out var content)
        ? new DropboxReply(200, FileMetadata(path, content.Length))
        : RouteError("path/not_found/..");

    private static string FileMetadata(string path, long size) => new JsonObject
    {
        [".tag"] = "file",
        ["name"] = path[(path.LastIndexOf('/') + 1)..],
        ["path_display"] = path,
        ["size"] = size,
    }.ToJsonString();

    private DropboxReply Upload(DropboxRequest request)
    {
        var arg = request.Arg;
        if (ContractViolation(request) is { } violation)
        {
            return violation;
        }

        var path = arg["path"]!.GetValue<string>();
        Files[path] = request.Body;
        return new DropboxReply(200, FileMetadata(path, request.Body.Length));
    }

    private DropboxReply StartSession(DropboxRequest request)
    {
        if (ContractViolation(request, needsPath: false) is { } violation)
        {
            return violation;
        }

        var id = $"session-{_sessions.Count + 1}";
        var data = new MemoryStream();
        data.Write(request.Body);
        _sessions[id] = data;
        return new DropboxReply(200, new JsonObject { ["session_id"] = id }.ToJsonString());
    }

    private DropboxReply AppendToSession(DropboxRequest request)
    {
        if (ContractViolation(request, needsPath: false) is { } violation)
        {
            return violation;
        }

        if (CursorError(request.Arg["cursor"]!, out var data) is { } error)
        {
            return error;
        }

        data!.Write(request.Body);
        return new DropboxReply(200, "null");
    }

    private DropboxReply FinishSession(DropboxRequest request)
    {
        var arg = request.Arg;
        var commit = arg["commit"]!;
        if (ContractViolation(request, needsPath: false) is { } violation)
        {
            return violation;
        }

        if (commit["mode"]?.GetValue<string>() != "overwrite")
        {
            return new DropboxReply(400, "commit.mode must be overwrite in this contract", ContentType: "text/plain");
        }

        if (CursorError(arg["cursor"]!, out var data) is { } error)
        {
            return error;
        }

        data!.Write(request.Body);
        var path = commit["path"]!.GetValue<string>();
        Files[path] = data.ToArray();
        return new DropboxReply(200, FileMetadata(path, data.Length));
    }

    private DropboxReply? CursorError(JsonNode cursor, out MemoryStream? data)
    {
        if (!_sessions.TryGetValue(cursor["session_id"]!.GetValue<string>(), out data))
        {
            return RouteError("lookup_failed/not_found/..");
        }

        var offset = cursor["offset"]!.GetValue<long>();
        return offset == data.Length
            ? null
            : new DropboxReply(409, new JsonObject
            {
                ["error_summary"] = "incorrect_offset/..",
                ["error"] = new JsonObject { [".tag"] = "incorrect_offset", ["correct_offset"] = data.Length },
            }.ToJsonString());
    }

    /// <summary>Uploads must name the path and overwrite mode in Dropbox-API-Arg and send raw bytes.</summary>
    private static DropboxReply? ContractViolation(DropboxRequest request, bool needsPath = true)
    {
        if (request.ContentType != "application/octet-stream")
        {
            return new DropboxReply(400, $"Bad HTTP \"Content-Type\" header: \"{request.ContentType}\"", ContentType: "text/plain");
        }

        if (request.ApiArg is null)
        {
            return new DropboxReply(400, "missing Dropbox-API-Arg", ContentType: "text/plain");
        }

        if (needsPath && (request.Arg["path"] is null || request.Arg["mode"]?.GetValue<string>() != "overwrite"))
        {
            return new DropboxReply(400, "Dropbox-API-Arg needs path and mode overwrite in this contract", ContentType: "text/plain");
        }

        return null;
    }

    /// <summary>Like Dropbox: the deleted entry's metadata, or 409 <c>path_lookup/not_found</c>.</summary>
    private DropboxReply Delete(string path) => Files.TryRemove(path, out var content)
        ? new DropboxReply(200, new JsonObject { ["metadata"] = JsonNode.Parse(FileMetadata(path, content.Length)) }.ToJsonString())
        : RouteError("path_lookup/not_found/..");

    private DropboxReply Download(DropboxRequest request)
    {
        var path = request.Arg["path"]!.GetValue<string>();
        if (!Files.TryGetValue(path, out var content))
        {
            return RouteError("path/not_found/..");
        }

        return new DropboxReply(200, "", new Dictionary<string, string> { ["Dropbox-API-Result"] = FileMetadata(path, content.Length) },
            ContentType: "application/octet-stream", Bytes: content);
    }

    private DropboxReply CreateLink(string path)
    {
        if (!Files.ContainsKey(path))
        {
            return RouteError("path/not_found/..");
        }

        if (Links.ContainsKey(path))
        {
            return RouteError("shared_link_already_exists/..");
        }

        var url = $"https://www.dropbox.com/s/link{Interlocked.Increment(ref _linksCreated)}/{path[(path.LastIndexOf('/') + 1)..]}?dl=0";
        Links[path] = url;
        return new DropboxReply(200, new JsonObject { [".tag"] = "file", ["url"] = url, ["path_lower"] = path.ToLowerInvariant() }.ToJsonString());
    }

    private DropboxReply ListLinks(string path)
    {
        var links = new JsonArray();
        if (Links.TryGetValue(path, out var url))
        {
            links.Add(new JsonObject { [".tag"] = "file", ["url"] = url });
        }

        return new DropboxReply(200, new JsonObject { ["links"] = links, ["has_more"] = false }.ToJsonString());
    }

}

public sealed record DropboxRequest(string Method, string Path, string? Authorization, string? ApiArg, string? ContentType, byte[] Body, DateTimeOffset ReceivedAt)
{
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

    public JsonObject Arg => JsonNode.Parse(ApiArg ?? "{}")!.AsObject();

    public IReadOnlyDictionary<string, string> Form => Encoding.UTF8.GetString(Body).Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('=', 2))
        .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "", StringComparer.Ordinal);
}

public sealed record DropboxReply(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null, string ContentType = "application/json", byte[]? Bytes = null);
