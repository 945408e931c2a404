using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HomeSec.Core.Plugins.Http;
using Microsoft.Extensions.Logging;

namespace HomeSec.Core.Plugins.Storage.Dropbox;

/// <summary>
/// Stores objects in a Dropbox folder through the HTTP API v2 (no SDK): files up to chunk_size_mb in one
/// <c>files/upload</c>, larger ones through an upload session; every upload overwrites, but a file that
/// already exists with the same size is not sent again. The view_url is a shared link (created, or the
/// existing one reused). 429 and 5xx are retried with backoff (Retry-After honoured), other 4xx are not.
/// Errors carry Dropbox's <c>error_summary</c>, never a token.
/// </summary>
public sealed class DropboxStorage : IStorageBackend, IDisposable
{
    private const int MaxErrorTextInMessage = 300;
    private static readonly TimeSpan MaxTokenRenewMargin = TimeSpan.FromMinutes(5);
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly DropboxStorageOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private CachedToken? _cachedToken;

    public DropboxStorage(DropboxStorageOptions options, ILogger<DropboxStorage> logger, TimeProvider clock)
    {
        _options = options;
        _logger = logger;
        _clock = clock;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            // Each attempt has its own timeout (timeout_s); the caller's token bounds the whole operation.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<StoredObject> PutFileAsync(string localPath, string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        var length = new FileInfo(localPath).Length;
        var existingSize = await FileSizeAsync(path, cancellationToken);
        if (existingSize == length)
        {
            _logger.LogDebug("Dropbox already has {Path} with the same size ({Length} bytes); not uploading it again", path, length);
        }
        else if (length <= _options.ChunkSizeBytes)
        {
            var bytes = await File.ReadAllBytesAsync(localPath, cancellationToken);
            await ContentAsync("files/upload", CommitArg(path), bytes, cancellationToken);
        }
        else
        {
            await UploadInSessionAsync(path, localPath, length, cancellationToken);
        }

        var viewUrl = _options.SharedLinks ? await SharedLinkAsync(path, cancellationToken) : null;
        return new StoredObject(StorageUriOf(path), viewUrl);
    }

    /// <summary>Sidecar documents are small and may change: always written (overwrite), and no shared link is made for them.</summary>
    public async Task<StoredObject> PutJsonAsync(string key, string json, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        await ContentAsync("files/upload", CommitArg(path), Encoding.UTF8.GetBytes(json), cancellationToken);
        return new StoredObject(StorageUriOf(path), null);
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) =>
        await MetadataAsync(PathOf(key), cancellationToken) is not null;

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        var arg = new JsonObject { ["path"] = path }.ToJsonString();
        var response = await SendAsync("files/download", () => ContentRequest("files/download", arg, content: null), authorize: true, cancellationToken);
        try
        {
            // Disposing the stream releases the connection; the response itself holds nothing else.
            return await response.Content.ReadAsStreamAsync(cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await RpcAsync("files/delete_v2", new JsonObject { ["path"] = PathOf(key) }, cancellationToken);
        }
        catch (DropboxApiException ex) when (ex.StatusCode == 409 && ex.ErrorSummary?.StartsWith("path_lookup/not_found", StringComparison.Ordinal) == true)
        {
            // Already gone (deleted by hand, or by an earlier pass whose event was not recorded).
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _tokenLock.Dispose();
    }

    /// <summary>Where a key lives in Dropbox: <c>{root}/{key}</c>. Keys are relative paths; one that would leave the root is a bug in the caller.</summary>
    internal string PathOf(string key)
    {
        var segments = key.Split('/');
        if (key.Length == 0 || key.Contains('\\', StringComparison.Ordinal) || segments.Any(s => s is "" or "." or ".."))
        {
            throw new ArgumentException($"storage key '{key}' is not a relative path inside the storage root", nameof(key));
        }

        return $"{_options.Root}/{key}";
    }

    private static string StorageUriOf(string path) => $"dropbox://{path}";

    private static JsonObject CommitArg(string path) => new()
    {
        ["path"] = path,
        ["mode"] = "overwrite",
        ["autorename"] = false,
        ["mute"] = true,
    };

    private async Task UploadInSessionAsync(string path, string localPath, long length, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var buffer = new byte[(int)Math.Min(_options.ChunkSizeBytes, length)];
        var read = await ReadChunkAsync(file, buffer, cancellationToken);
        var started = await ContentAsync("files/upload_session/start", new JsonObject { ["close"] = false }, buffer.AsMemory(0, read), cancellationToken);
        var sessionId = started?["session_id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String
            ? id.GetValue<string>()
            : throw new DropboxApiException("files/upload_session/start", 200, null, "Dropbox files/upload_session/start answered without a session_id");
        long offset = read;
        while (length - offset > _options.ChunkSizeBytes)
        {
            read = await ReadChunkAsync(file, buffer, cancellationToken);
            var append = new JsonObject { ["cursor"] = Cursor(sessionId, offset), ["close"] = false };
            await ContentAsync("files/upload_session/append_v2", append, buffer.AsMemory(0, read), cancellationToken);
            offset += read;
        }

        read = await ReadChunkAsync(file, buffer, cancellationToken);
        if (offset + read != length || file.Position != file.Length)
        {
            throw new IOException($"'{localPath}' changed while it was uploaded ({length} bytes at the start)");
        }

        var finish = new JsonObject { ["cursor"] = Cursor(sessionId, offset), ["commit"] = CommitArg(path) };
        await ContentAsync("files/upload_session/finish", finish, buffer.AsMemory(0, read), cancellationToken);
        _logger.LogDebug("Uploaded {Path} ({Length} bytes) in an upload session", path, length);

        static JsonObject Cursor(string sessionId, long offset) => new() { ["session_id"] = sessionId, ["offset"] = offset };
    }

    private static async Task<int> ReadChunkAsync(Stream file, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await file.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    /// <summary>The size of the file at <paramref name="path"/>; null when there is none (or a folder is there).</summary>
    private async Task<long?> FileSizeAsync(string path, CancellationToken cancellationToken) =>
        await MetadataAsync(path, cancellationToken) is { } metadata
        && metadata[".tag"]?.GetValue<string>() == "file"
        && metadata["size"] is JsonValue size && size.TryGetValue<long>(out var bytes)
            ? bytes
            : null;

    private async Task<JsonObject?> MetadataAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await RpcAsync("files/get_metadata", new JsonObject { ["path"] = path }, cancellationToken);
        }
        catch (DropboxApiException ex) when (ex.StatusCode == 409 && ex.ErrorSummary?.StartsWith("path/not_found", StringComparison.Ordinal) == true)
        {
            return null;
        }
    }

    /// <summary>A missing link is not worth failing a stored clip for: the alert goes out without a view_url.</summary>
    private async Task<string?> SharedLinkAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await CreateOrReuseSharedLinkAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is DropboxApiException or HttpRequestException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("Dropbox: no shared link for {Path}; the clip is stored without a view_url: {Reason}", path, ex.Message);
            return null;
        }
    }

    private async Task<string?> CreateOrReuseSharedLinkAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var created = await RpcAsync("sharing/create_shared_link_with_settings", new JsonObject { ["path"] = path }, cancellationToken);
            return created?["url"]?.GetValue<string>();
        }
        catch (DropboxApiException ex) when (ex.StatusCode == 409 && ex.ErrorSummary?.StartsWith("shared_link_already_exists", StringComparison.Ordinal) == true)
        {
            var listed = await RpcAsync("sharing/list_shared_links", new JsonObject { ["path"] = path, ["direct_only"] = true }, cancellationToken);
            return listed?["links"] is JsonArray { Count: > 0 } links ? links[0]?["url"]?.GetValue<string>() : null;
        }
    }

    private async Task<JsonObject?> RpcAsync(string route, JsonObject arg, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(arg.ToJsonString());
        var uri = new Uri($"{_options.ApiUrl.AbsoluteUri.TrimEnd('/')}/{route}");
        using var response = await SendAsync(route, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = Json;
            return request;
        }, authorize: true, cancellationToken);
        return await ReadJsonAsync(route, response, cancellationToken);
    }

    private async Task<JsonObject?> ContentAsync(string route, JsonObject arg, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        // The header must be ASCII: the default encoder escapes everything else as \uXXXX.
        var argText = arg.ToJsonString();
        using var response = await SendAsync(route, () => ContentRequest(route, argText, body), authorize: true, cancellationToken);
        return await ReadJsonAsync(route, response, cancellationToken);
    }

    private HttpRequestMessage ContentRequest(string route, string arg, ReadOnlyMemory<byte>? content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{_options.ContentUrl.AbsoluteUri.TrimEnd('/')}/{route}"));
        request.Headers.TryAddWithoutValidation("Dropbox-API-Arg", arg);
        if (content is { } bytes)
        {
            request.Content = new ReadOnlyMemoryContent(bytes);
            request.Content.Headers.ContentType = OctetStream;
        }

        return request;
    }

    private async Task<JsonObject?> ReadJsonAsync(string route, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (text.Length == 0 || text == "null")
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException ex)
        {
            throw new DropboxApiException(route, (int)response.StatusCode, null,
                $"Dropbox {route} answered {(int)response.StatusCode} with a body that is not JSON ({ex.Message}): {Truncated(Redact(text))}");
        }
    }

    /// <summary>
    /// Sends with retries: 429 and 5xx (and network errors, timeouts) are retried with backoff or after Retry-After;
    /// a 401 <c>expired_access_token</c> renews the token once and tries again; any other status is a failure.
    /// The caller disposes the successful response.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(string route, Func<HttpRequestMessage> build, bool authorize, CancellationToken cancellationToken)
    {
        var renewedToken = false;
        for (var attempt = 1; ; attempt++)
        {
            var retriesLeft = attempt <= _options.MaxRetries;
            var token = authorize ? await AccessTokenAsync(cancellationToken) : null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            using var request = build();
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                var what = $"no answer within timeout_s ({_options.RequestTimeout.TotalSeconds:0.#} s)";
                if (!retriesLeft)
                {
                    throw new TimeoutException($"Dropbox {route}: {what} (after {attempt} attempts)", ex);
                }

                await WaitBeforeRetryAsync(route, BackoffBefore(attempt + 1), what, attempt, cancellationToken);
                continue;
            }
            catch (HttpRequestException ex) when (retriesLeft)
            {
                await WaitBeforeRetryAsync(route, BackoffBefore(attempt + 1), $"request failed ({Redact(ex.Message)})", attempt, cancellationToken);
                continue;
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            var status = (int)response.StatusCode;
            TimeSpan? retryAfter;
            string body;
            using (response)
            {
                retryAfter = RetryAfter(response);
                body = Redact(await response.Content.ReadAsStringAsync(timeout.Token));
            }

            var summary = ErrorSummary(body);
            if (status == 401 && token is not null && _options.Credentials.UsesRefreshToken && !renewedToken
                && summary?.StartsWith("expired_access_token", StringComparison.Ordinal) == true)
            {
                _logger.LogInformation("Dropbox {Route}: the access token expired; renewing it", route);
                renewedToken = true;
                ForgetToken(token);
                attempt--;
                continue;
            }

            var failure = $"Dropbox {route} answered {status} {(HttpStatusCode)status}: {summary ?? Truncated(body)}";
            if (!IsRetryable(status) || !retriesLeft)
            {
                throw new DropboxApiException(route, status, summary, IsRetryable(status) ? $"{failure} (after {attempt} attempts)" : failure);
            }

            if (retryAfter > _options.MaxRetryBackoff)
            {
                throw new DropboxApiException(route, status, summary,
                    $"{failure} (it asks to retry after {retryAfter.Value.TotalSeconds:0} s, longer than max_retry_backoff_s {_options.MaxRetryBackoff.TotalSeconds:0} s)");
            }

            await WaitBeforeRetryAsync(route, retryAfter ?? BackoffBefore(attempt + 1), $"{status} {summary}", attempt, cancellationToken);
        }
    }

    private async Task WaitBeforeRetryAsync(string route, TimeSpan delay, string what, int attempt, CancellationToken cancellationToken)
    {
        _logger.LogWarning("Dropbox {Route}: {What}; retry {Retry}/{MaxRetries} in {DelaySeconds:0.#} s",
            route, what, attempt, _options.MaxRetries, delay.TotalSeconds);
        await Task.Delay(delay, _clock, cancellationToken);
    }

    private TimeSpan BackoffBefore(int nextAttempt) => HttpRetry.BackoffBefore(nextAttempt, _options.RetryBackoff, _options.MaxRetryBackoff);

    private TimeSpan? RetryAfter(HttpResponseMessage response) => HttpRetry.RetryAfter(response, _clock);

    private static bool IsRetryable(int status) => HttpRetry.IsRetryable(status);

    /// <summary>The access token: the configured one, or one from the refresh flow, cached until shortly before it expires.</summary>
    private async Task<string> AccessTokenAsync(CancellationToken cancellationToken)
    {
        var credentials = _options.Credentials;
        if (!credentials.UsesRefreshToken)
        {
            return credentials.AccessToken ?? "";
        }

        if (Volatile.Read(ref _cachedToken) is { } cached && _clock.GetUtcNow() < cached.RenewAt)
        {
            return cached.Token;
        }

        await _tokenLock.WaitAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref _cachedToken) is { } again && _clock.GetUtcNow() < again.RenewAt)
            {
                return again.Token;
            }

            var fresh = await RefreshAccessTokenAsync(cancellationToken);
            Volatile.Write(ref _cachedToken, fresh);
            return fresh.Token;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    private void ForgetToken(string token)
    {
        if (Volatile.Read(ref _cachedToken) is { } cached && cached.Token == token)
        {
            Interlocked.CompareExchange(ref _cachedToken, null, cached);
        }
    }

    private async Task<CachedToken> RefreshAccessTokenAsync(CancellationToken cancellationToken)
    {
        const string route = "oauth2/token";
        var credentials = _options.Credentials;
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = credentials.RefreshToken ?? "",
            ["client_id"] = credentials.AppKey ?? "",
            ["client_secret"] = credentials.AppSecret ?? "",
        };
        var uri = new Uri($"{_options.OAuthUrl.AbsoluteUri.TrimEnd('/')}/{route}");
        var requestedAt = _clock.GetUtcNow();
        using var response = await SendAsync(route, () => new HttpRequestMessage(HttpMethod.Post, uri) { Content = new FormUrlEncodedContent(form) },
            authorize: false, cancellationToken);
        var reply = await ReadJsonAsync(route, response, cancellationToken);
        var token = reply?["access_token"] is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : throw new DropboxApiException(route, (int)response.StatusCode, null, "Dropbox oauth2/token answered without an access_token");
        var lifetime = reply["expires_in"] is JsonValue expires && expires.TryGetValue<long>(out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromHours(4);
        var margin = lifetime / 2 < MaxTokenRenewMargin ? lifetime / 2 : MaxTokenRenewMargin;
        _logger.LogDebug("Dropbox: got an access token valid for {Seconds:0} s", lifetime.TotalSeconds);
        return new CachedToken(token, requestedAt + lifetime - margin);
    }

    /// <summary>Dropbox API errors carry <c>error_summary</c>; the OAuth endpoint <c>error</c> and <c>error_description</c>.</summary>
    private static string? ErrorSummary(string body)
    {
        try
        {
            var error = JsonNode.Parse(body) as JsonObject;
            if (error?["error_summary"] is JsonValue summary && summary.GetValueKind() == JsonValueKind.String)
            {
                return summary.GetValue<string>();
            }

            if (error?["error"] is JsonValue oauthError && oauthError.GetValueKind() == JsonValueKind.String)
            {
                return error["error_description"] is JsonValue description && description.GetValueKind() == JsonValueKind.String
                    ? $"{oauthError.GetValue<string>()}: {description.GetValue<string>()}"
                    : oauthError.GetValue<string>();
            }
        }
        catch (JsonException)
        {
            // plain-text error bodies (e.g. a 400 about a malformed argument) are shown as they are
        }

        return null;
    }

    private static string Truncated(string text) =>
        text.Length <= MaxErrorTextInMessage ? text : text[..MaxErrorTextInMessage] + "…";

    /// <summary>Servers may echo what they got; no secret may reach a log or an error.</summary>
    private string Redact(string text)
    {
        foreach (var secret in _options.Credentials.Secrets().Append(Volatile.Read(ref _cachedToken)?.Token ?? ""))
        {
            if (secret.Length > 0)
            {
                text = text.Replace(secret, "[redacted]", StringComparison.Ordinal);
            }
        }

        return text;
    }

    private sealed record CachedToken(string Token, DateTimeOffset RenewAt);
}
