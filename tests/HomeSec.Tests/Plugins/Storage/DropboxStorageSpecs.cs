using System.Text;
using HomeSec.Core.Plugins.Storage.Dropbox;
using HomeSec.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Xunit;

namespace HomeSec.Tests.Plugins.Storage;

public sealed class DropboxStorageSpecs : IDisposable
{
    private const string Token = "sl.long-lived-token-do-not-print";
    private const string Key = "front_door/front_door-20240501T120000Z.mp4";
    private const string ClipPath = "/homesec/" + Key;
    private const int OneMiB = 1024 * 1024;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Should_upload_the_bytes_with_the_bearer_token_and_an_overwrite_argument_when_the_file_is_small()
    {
        // Given
        await using var server = new FakeDropboxServer(null, Token);
        using var storage = Storage(server);
        var (file, content) = WriteFile("clip.mp4", 3000);

        // When
        var stored = await storage.PutFileAsync(file, Key, CancellationToken.None);

        // Then
        var upload = Assert.Single(server.To("files/upload"));
        Assert.Equal("POST", upload.Method);
        Assert.Equal($"Bearer {Token}", upload.Authorization);
        Assert.Equal("application/octet-stream", upload.ContentType);
        Assert.Equal(ClipPath, upload.Arg["path"]!.GetValue<string>());
        Assert.Equal("overwrite", upload.Arg["mode"]!.GetValue<string>());
        Assert.Equal(content, upload.Body);
        Assert.Equal(content, server.Files[ClipPath]);
        Assert.Equal($"dropbox://{ClipPath}", stored.StorageUri);
        Assert.Equal(server.Links[ClipPath], stored.ViewUrl);
        Assert.Empty(server.To("files/upload_session/start"));
    }

    [Fact]
    public async Task Should_upload_in_a_session_with_consecutive_offsets_when_the_file_is_larger_than_the_chunk_size()
    {
        // Given
        await using var server = new FakeDropboxServer(null, Token);
        using var storage = Storage(server, chunkSizeBytes: OneMiB);
        var (file, content) = WriteFile("big.mp4", (2 * OneMiB) + (OneMiB / 2));

        // When
        var stored = await storage.PutFileAsync(file, Key, CancellationToken.None);

        // Then
        Assert.Empty(server.To("files/upload"));
        var start = Assert.Single(server.To("files/upload_session/start"));
        var append = Assert.Single(server.To("files/upload_session/append_v2"));
        var finish = Assert.Single(server.To("files/upload_session/finish"));
        Assert.Equal(content[..OneMiB], start.Body);
        Assert.Equal(OneMiB, append.Arg["cursor"]!["offset"]!.GetValue<long>());
        Assert.Equal(content[OneMiB..(2 * OneMiB)], append.Body);
        Assert.Equal(2 * OneMiB, finish.Arg["cursor"]!["offset"]!.GetValue<long>());
        Assert.Equal(content[(2 * OneMiB)..], finish.Body);
        Assert.Equal(ClipPath, finish.Arg["commit"]!["path"]!.GetValue<string>());
        Assert.Equal("overwrite", finish.Arg["commit"]!["mode"]!.GetValue<string>());
        Assert.All([start, append, finish], r => Assert.Equal("application/octet-stream", r.ContentType));
        Assert.All([start, append, finish], r => Assert.Equal($"Bearer {Token}", r.Authorization));
        Assert.Equal(content, server.Files[ClipPath]);
        Assert.Equal($"dropbox://{ClipPath}", stored.StorageUri);
    }

    [Fact]
    public async Task Should_not_upload_again_when_the_file_already_exists_with_the_same_size()
    {
        // Given
        await using var server = new FakeDropboxServer(null, Token);
        using var storage = Storage(server);
        var (file, content) = WriteFile("clip.mp4", 4096);
        server.Files[ClipPath] = new byte[content.Length];

        // When
        var stored = await storage.PutFileAsync(file, Key, CancellationToken.None);

        // Then
        Assert.Single(server.To("files/get_metadata"));
        Assert.Empty(server.To("files/upload"));
        Assert.Empty(server.To("files/upload_session/start"));
        Assert.Equal($"dropbox://{ClipPath}", stored.StorageUri);
        Assert.NotNull(stored.ViewUrl);
    }

    [Fact]
    public async Task Should_overwrite_the_file_when_it_exists_with_another_size()
    {
        // Given
        await using var server = new FakeDropboxServer(null, Token);
        using var storage = Storage(server);
        var (file, content) = WriteFile("clip.mp4", 4096);
        server.Files[ClipPath] = new byte[100];

        // When
        await storage.PutFileAsync(file, Key, CancellationToken.None);

        // Then
        Assert.Single(server.To("files/upload"));
        Assert.Equal(content, server.Files[ClipPath]);
    }

    [Fact]
    public async Task Should_reuse_the_existing_shared_link_when_dropbox_answers_shared_link_already_exists()
    {
        // Given
        await using var server = new FakeDropboxServer(null, Token);
        using var storage = Storage(server);
        var (file, _) = WriteFile("clip.mp4", 1000);
        server.Links[ClipPath] = "https://www.dropbox.com/s/existing/clip.mp4?dl=0";

        // When
        var stored = await storage.PutFileAsync(file, Key, CancellationToken.None);

        // Then
        Assert.Single(server.To("sharing/create_shared_link_with_settings"));
        var list = Assert.Single(server.To("sharing/list_shared_links"));
        Assert.Equal(ClipPath, list.Json["path"]!.GetValue<string>());
        Assert.Equal("https://www.dropbox.com/s/existing/clip.mp4?dl=0", stored.ViewUrl);
    }

    [Fact]
    public async Task Should_store_without_a_view_url_and_make_no_link_when_shared_links_are_off()
    {
        // Given
        await using var server = new FakeDropboxServer(null, Token);
        using var storage = Storage(server, sharedLinks: false);
        var (file, _) = WriteFile("clip.mp4", 1000);

        // When
        var stored = await storage.PutFileAsync(file, Key, CancellationToken.None);

        // Then
        Assert.Null(stored.ViewUrl);
        Assert.DoesNotContain(server.Requests, r => r.Path.StartsWith("/2/sharing/", StringComparison.Ordinal));
        Assert.Single(server.To("files/upload"));
    }

    [Fact]
    public async Task Should_fetch_the_access_token_once_and_reuse_it_when_the_refresh_flow_is_configured()
    {
        // Given
        await using var server = new FakeDropboxServer();
        using var storage = Storage(server, credentials: DropboxCredentials.FromRefreshToken("refresh-secret", "app-key", "app-secret"));
        var (file, _) = WriteFile("clip.mp4", 1000);

        // When
        await storage.PutFileAsync(file, Key, CancellationToken.None);
        await storage.PutFileAsync(file, "front_door/second.mp4", CancellationToken.None);

        // Then
        var tokenRequest = Assert.Single(server.To("oauth2/token"));
        Assert.Equal("refresh_token", tokenRequest.Form["grant_type"]);
        Assert.Equal("refresh-secret", tokenRequest.Form["refresh_token"]);
        Assert.Equal("app-key", tokenRequest.Form["client_id"]);
        Assert.Equal("app-secret", tokenRequest.Form["client_secret"]);
        var apiCalls = server.Requests.Where(r => r.Path.StartsWith("/2/", StringComparison.Ordinal)).ToList();
        Assert.True(apiCalls.Count >= 6, $"{apiCalls.Count} API calls");
        Assert.All(apiCalls, r => Assert.Equal("Bearer access-1", r.Authorization));
    }

    [Fact]
    public async Task Should_renew_the_token_when_the_cached_one_is_about_to_expire()
    {
        // Given
        await using var server = new FakeDropboxServer { TokenLifetimeSeconds = 3600 };
        var clock = new ManualTimeProvider();
        using var storage = Storage(server, credentials: DropboxCredentials.FromRefreshToken("refresh-secret", "app-key", "app-secret"), clock: clock);
        await storage.ExistsAsync(Key, CancellationToken.None);

        // When
        clock.Advance(TimeSpan.FromMinutes(56));
        await storage.ExistsAsync(Key, CancellationToken.None);

        // Then
        Assert.Equal(2, server.To("oauth2/token").Count);
        Assert.Equal("Bearer access-2", server.To("files/get_metadata")[^1].Authorization);
    }

    [Fact]
    public async Task Should_renew_the_token_once_and_retry_when_dropbox_answers_expired_access_token()
    {
        // Given
        await using var server = new FakeDropboxServer((request, _) =>
            request.Path == "/2/files/get_metadata" && request.Authorization == "Bearer access-1"
                ? FakeDropboxServer.RouteError("expired_access_token/..", 401)
                : null);
        using var storage = Storage(server, credentials: DropboxCredentials.FromRefreshToken("refresh-secret", "app-key", "app-secret"), maxRetries: 0);

        // When
        var exists = await storage.ExistsAsync(Key, CancellationToken.None);

        // Then
        Assert.False(exists);
        Assert.Equal(2, server.To("oauth2/token").Count);
        var metadata = server.To("files/get_metadata");
        Assert.Equal(["Bearer access-1", "Bearer access-2"], metadata.Select(r => r.Authorization));
    }

    [Fact]
    public async Task Should_fail_after_one_renewal_when_dropbox_keeps_answering_expired_access_token()
    {
        // Given
        await using var server = new FakeDropboxServer((request, _) =>
            request.Path == "/2/files/get_metadata" ? FakeDropboxServer.RouteError("expired_access_token/..", 401) : null);
        using var storage = Storage(server, credentials: DropboxCredentials.FromRefreshToken("refresh-secret", "app-key", "app-secret"));

        // When
        var failure = await Assert.ThrowsAsync<DropboxApiException>(() => storage.ExistsAsync(Key, CancellationToken.None));

        // Then
        Assert.Equal(401, failure.StatusCode);
        Assert.Equal(2, server.To("oauth2/token").Count);
        Assert.Equal(2, server.To("files/get_metadata").Count);
    }

    [Fact]
    public async Task Should_retry_after_the_delay_dropbox_asks_for_when_it_answers_429_with_retry_after()
    {
        // Given
        var uploads = 0;
        await using var server = new FakeDropboxServer((request, _) =>
            request.Path == "/2/files/upload" && Interlocked.Increment(ref uploads) == 1
                ? FakeDropboxServer.RouteError("too_many_requests/..", 429) with { Headers = new Dictionary<string, string> { ["Retry-After"] = "1" } }
                : null, Token);
        using var storage = Storage(server, retryBackoff: TimeSpan.FromMilliseconds(10));
        var (file, content) = WriteFile("clip.mp4", 1000);

        // When
        await storage.PutFileAsync(file, Key, CancellationToken.None);

        // Then
        var attempts = server.To("files/upload");
        Assert.Equal(2, attempts.Count);
        Assert.Equal(content, server.Files[ClipPath]);
        // The backoff is 10 ms, so a gap near 1 s can only come from Retry-After (the margin absorbs timer granularity).
        Assert.True(attempts[1].ReceivedAt - attempts[0].ReceivedAt >= TimeSpan.FromMilliseconds(900),
            $"retried after {(attempts[1].ReceivedAt - attempts[0].ReceivedAt).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Should_fail_after_the_configured_retries_when_dropbox_keeps_answering_500()
    {
        // Given
        await using var server = new FakeDropboxServer((request, _) =>
            request.Path == "/2/files/upload" ? new DropboxReply(500, "internal server error", ContentType: "text/plain") : null, Token);
        using var storage = Storage(server, maxRetries: 2);
        var (file, _) = WriteFile("clip.mp4", 1000);

        // When
        var failure = await Assert.ThrowsAsync<DropboxApiException>(() => storage.PutFileAsync(file, Key, CancellationToken.None));

        // Then
        Assert.Equal(500, failure.StatusCode);
        Assert.Equal(3, server.To("files/upload").Count);
        Assert.Contains("after 3 attempts", failure.Message);
        Assert.False(server.Files.ContainsKey(ClipPath));
    }

    [Fact]
    public async Task Should_fail_without_retrying_and_name_the_error_summary_when_dropbox_answers_409_insufficient_space()
    {
        // Given
        await using var server = new FakeDropboxServer((request, _) =>
            request.Path == "/2/files/upload" ? FakeDropboxServer.RouteError("path/insufficient_space/...") : null, Token);
        using var storage = Storage(server, maxRetries: 3);
        var (file, _) = WriteFile("clip.mp4", 1000);

        // When
        var failure = await Assert.ThrowsAsync<DropboxApiException>(() => storage.PutFileAsync(file, Key, CancellationToken.None));

        // Then
        Assert.Single(server.To("files/upload"));
        Assert.Equal(409, failure.StatusCode);
        Assert.Equal("path/insufficient_space/...", failure.ErrorSummary);
        Assert.Contains("path/insufficient_space", failure.Message);
        Assert.Contains("files/upload", failure.Message);
        Assert.DoesNotContain(Token, failure.ToString());
    }

    [Fact]
    public async Task Should_keep_the_token_out_of_the_error_and_the_log_when_dropbox_echoes_it()
    {
        // Given
        await using var server = new FakeDropboxServer((request, _) => request.Path == "/2/files/get_metadata"
            ? new DropboxReply(400, $"Error in call to API function \"files/get_metadata\": Invalid authorization value \"Bearer {Token}\"", ContentType: "text/plain")
            : null, Token);
        var logger = new CapturingLogger<DropboxStorage>();
        using var storage = Storage(server, logger: logger);
        var (file, _) = WriteFile("clip.mp4", 1000);

        // When
        var failure = await Assert.ThrowsAsync<DropboxApiException>(() => storage.PutFileAsync(file, Key, CancellationToken.None));

        // Then
        Assert.Single(server.To("files/get_metadata"));
        Assert.Equal(400, failure.StatusCode);
        Assert.Contains("Invalid authorization value", failure.Message);
        Assert.Contains("[redacted]", failure.Message);
        Assert.DoesNotContain(Token, failure.ToString());
        Assert.DoesNotContain(logger.Entries, e => e.Text.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_answer_whether_a_key_exists_when_asked()
    {
        // Given
        await using var server = new FakeDropboxServer(null, Token);
        using var storage = Storage(server);
        server.Files[ClipPath] = [1, 2, 3];

        // When
        var present = await storage.ExistsAsync(Key, CancellationToken.None);
        var absent = await storage.ExistsAsync("front_door/missing.mp4", CancellationToken.None);

        // Then
        Assert.True(present);
        Assert.False(absent);
        Assert.Equal([ClipPath, "/homesec/front_door/missing.mp4"], server.To("files/get_metadata").Select(r => r.Json["path"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Should_read_back_the_stored_bytes_when_a_key_is_opened()
    {
        // Given
        await using var server = new FakeDropboxServer(null, Token);
        using var storage = Storage(server);
        var content = Encoding.UTF8.GetBytes("stored frames");
        server.Files[ClipPath] = content;

        // When
        await using var stream = await storage.OpenReadAsync(Key, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        // Then
        Assert.Equal(content, copy.ToArray());
        var download = Assert.Single(server.To("files/download"));
        Assert.Equal(ClipPath, download.Arg["path"]!.GetValue<string>());
        Assert.Equal($"Bearer {Token}", download.Authorization);
        Assert.Empty(download.Body);
    }

    [Fact]
    public async Task Should_upload_the_json_document_when_a_sidecar_is_put()
    {
        // Given
        await using var server = new FakeDropboxServer(null, Token);
        using var storage = Storage(server);
        const string json = """{"summary":"a person at the door — café"}""";

        // When
        var stored = await storage.PutJsonAsync("front_door/clip.analysis.json", json, CancellationToken.None);

        // Then
        var upload = Assert.Single(server.To("files/upload"));
        Assert.Equal("/homesec/front_door/clip.analysis.json", upload.Arg["path"]!.GetValue<string>());
        Assert.Equal(Encoding.UTF8.GetBytes(json), upload.Body);
        Assert.Equal("dropbox:///homesec/front_door/clip.analysis.json", stored.StorageUri);
    }

    [Theory]
    [InlineData("../outside.mp4")]
    [InlineData("/absolute.mp4")]
    [InlineData("front_door//clip.mp4")]
    public async Task Should_refuse_the_key_without_calling_dropbox_when_it_is_not_a_relative_path(string key)
    {
        // Given
        await using var server = new FakeDropboxServer(null, Token);
        using var storage = Storage(server);

        // When
        var failure = await Assert.ThrowsAsync<ArgumentException>(() => storage.ExistsAsync(key, CancellationToken.None));

        // Then
        Assert.Contains(key, failure.Message);
        Assert.Empty(server.Requests);
    }

    private (string Path, byte[] Content) WriteFile(string name, int size)
    {
        var content = new byte[size];
        new Random(size).NextBytes(content);
        var path = _temp.Combine(name);
        File.WriteAllBytes(path, content);
        return (path, content);
    }

    private static DropboxStorage Storage(
        FakeDropboxServer server,
        DropboxCredentials? credentials = null,
        long chunkSizeBytes = 8 * OneMiB,
        bool sharedLinks = true,
        int maxRetries = 2,
        TimeSpan? retryBackoff = null,
        TimeProvider? clock = null,
        ILogger<DropboxStorage>? logger = null) =>
        new(new DropboxStorageOptions("/homesec", credentials ?? DropboxCredentials.FromAccessToken(Token), new Uri(server.ApiUrl), new Uri(server.ApiUrl),
                new Uri(server.BaseUrl), chunkSizeBytes, sharedLinks, TimeSpan.FromSeconds(10), maxRetries, retryBackoff ?? TimeSpan.FromMilliseconds(10),
                TimeSpan.FromSeconds(5)),
            logger ?? new CapturingLogger<DropboxStorage>(), clock ?? TimeProvider.System);
}
