using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HomeSec.IntegrationTests.TestSupport;
using HomeSec.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Web;

/// <summary>The web UI's server side on a running daemon: login, sessions, CSRF, tokens, media, throttling.</summary>
public sealed class WebUiSpecs : IAsyncLifetime
{
    private const string Password = "correct-horse-battery";
    private DaemonSandbox _sandbox = null!;
    private string _clip = null!;

    public async Task InitializeAsync()
    {
        _sandbox = new DaemonSandbox();
        _clip = Path.Combine(_sandbox.Root, "source.mp4");
        await Ffmpeg.MakeTestClipAsync(_clip, seconds: 2);
    }

    public Task DisposeAsync()
    {
        _sandbox.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Should_refuse_everything_but_the_login_page_without_a_session_and_say_how_to_create_the_first_user()
    {
        // Given a daemon with no user yet
        await using var daemon = _sandbox.StartDaemon();
        await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("status").GetString() == "ok", "the daemon healthy");
        using var web = new WebSession(_sandbox.HealthPort);

        // When
        using var home = await web.Http.GetAsync(new Uri("/", UriKind.Relative));
        using var login = await web.Http.GetAsync(new Uri("/login", UriKind.Relative));
        var loginPage = await login.Content.ReadAsStringAsync();
        var refused = new Dictionary<string, HttpStatusCode>();
        foreach (var path in new[] { "/api/clips", "/api/mode", "/api/clips/stream", "/media/clips/front_door-20260101T000000Z", "/review/rows" })
        {
            using var response = await web.Http.GetAsync(new Uri(path, UriKind.Relative));
            refused[path] = response.StatusCode;
        }

        using var live = await web.Http.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var put = await web.Http.PutAsJsonAsync(new Uri("/api/mode", UriKind.Relative), new { mode = "off" });

        // Then
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/login", home.Headers.Location!.OriginalString.Replace($"http://127.0.0.1:{_sandbox.HealthPort}", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("No user exists yet", loginPage, StringComparison.Ordinal);
        Assert.Contains("homesec user add NAME --config", loginPage, StringComparison.Ordinal);
        Assert.All(refused, pair => Assert.Equal(HttpStatusCode.Unauthorized, pair.Value));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode); // open by default: container healthchecks
        Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode); // nobody on the LAN disarms the system
        var policy = login.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("No web UI user yet", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_log_in_play_a_clip_by_range_mark_it_reviewed_and_log_out_when_the_password_is_right()
    {
        // Given a user made with the CLI, a public address for links, and a clip the daemon has processed
        _sandbox.AppendConfig("web:\n  public_url: https://nvr.example.lan/homesec/");
        var (addCode, addOutput) = await _sandbox.RunCliWithInputAsync(Password + "\n", "user", "add", "admin", "--password-stdin");
        Assert.True(addCode == 0, addOutput);
        await using var daemon = _sandbox.StartDaemon();
        await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("status").GetString() == "ok", "the daemon healthy");
        await _sandbox.DropClipsAsync(_clip, 1);
        await _sandbox.WaitForAlertedClipsAsync(daemon, 1);
        var clipId = _sandbox.Alerts()[0].GetProperty("clip_id").GetString()!;
        using var web = new WebSession(_sandbox.HealthPort);

        // When logging in, forging a form without its token, reading a range of the clip and using the API with the cookie
        using var forged = await web.Http.PostAsync(new Uri("/login", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["user"] = "admin", ["password"] = Password }));
        using var login = await web.LoginAsync("admin", Password);
        var session = web.Cookies.Single(c => c.Name == "homesec_session");
        var setCookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("homesec_session=", StringComparison.Ordinal));
        var home = await Eventually.WaitForAsync(async () =>
        {
            var html = await web.Http.GetStringAsync(new Uri("/", UriKind.Relative));
            return html.Contains($"id=\"clip-{clipId}\"", StringComparison.Ordinal) ? html : null;
        }, TimeSpan.FromSeconds(30), "the clip on the review page", () => daemon.Output);
        using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, $"/media/clips/{clipId}");
        rangeRequest.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(100, 299);
        using var range = await web.Http.SendAsync(rangeRequest);
        var rangeBytes = await range.Content.ReadAsByteArrayAsync();
        var api = await web.Http.GetStringAsync(new Uri("/api/clips", UriKind.Relative));
        using var modeWithoutCsrf = await web.Http.PutAsJsonAsync(new Uri("/api/mode", UriKind.Relative), new { mode = "away" });
        var csrf = await web.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/csrf", UriKind.Relative));
        using var modeRequest = new HttpRequestMessage(HttpMethod.Put, "/api/mode") { Content = JsonContent.Create(new { mode = "away" }) };
        modeRequest.Headers.Add(csrf.GetProperty("header").GetString()!, csrf.GetProperty("token").GetString());
        using var modeWithCsrf = await web.Http.SendAsync(modeRequest);
        using var reviewed = await web.PostFormAsync($"/clips/{clipId}/reviewed", "/", new() { ["returnUrl"] = "/" });
        var afterReview = await web.Http.GetStringAsync(new Uri("/", UriKind.Relative));
        var clipPage = await web.Http.GetStringAsync(new Uri($"/clips/{clipId}", UriKind.Relative));
        using var logout = await web.PostFormAsync("/logout", "/");
        using var afterLogout = await web.Http.GetAsync(new Uri("/", UriKind.Relative));

        // Then
        Assert.Equal($"https://nvr.example.lan/homesec/clips/{clipId}", _sandbox.Alerts()[0].GetProperty("view_url").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.True(session.HttpOnly);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("front_door", home, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal("bytes", range.Headers.AcceptRanges.Single());
        var storedClip = Path.Combine(_sandbox.WatchDir, "clip-0001.mp4");
        Assert.Equal((await File.ReadAllBytesAsync(storedClip))[100..300], rangeBytes);
        Assert.DoesNotContain("local_path", api, StringComparison.Ordinal);
        Assert.DoesNotContain(_sandbox.Root, api, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, modeWithoutCsrf.StatusCode);
        Assert.Equal(HttpStatusCode.OK, modeWithCsrf.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, reviewed.StatusCode);
        Assert.Contains($"class=\"clip reviewed\" id=\"clip-{clipId}\"", afterReview, StringComparison.Ordinal);
        Assert.Contains("reviewed by admin", clipPage, StringComparison.Ordinal);
        Assert.Contains($"src=\"/media/clips/{clipId}\"", clipPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, afterLogout.StatusCode);
    }

    [Fact]
    public async Task Should_accept_an_api_token_until_it_is_revoked()
    {
        // Given a running daemon and a token made with the CLI
        await using var daemon = _sandbox.StartDaemon();
        await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("status").GetString() == "ok", "the daemon healthy");
        var (createCode, token) = await _sandbox.RunCliAsync("token", "create", "home-assistant");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_sandbox.HealthPort}") };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Trim());

        // When
        using var before = await http.GetAsync(new Uri("/api/clips", UriKind.Relative));
        using var put = await http.PutAsJsonAsync(new Uri("/api/mode", UriKind.Relative), new { mode = "away" }); // a token needs no CSRF header
        var (revokeCode, _) = await _sandbox.RunCliAsync("token", "revoke", "home-assistant");
        using var after = await http.GetAsync(new Uri("/api/clips", UriKind.Relative));

        // Then
        Assert.Equal(0, createCode);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(0, revokeCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.DoesNotContain(token.Trim(), daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_ask_for_a_token_on_health_and_metrics_when_health_access_is_auth()
    {
        // Given
        _sandbox.AppendConfig("web:\n  health_access: auth");
        await using var daemon = _sandbox.StartDaemon();
        using var withToken = await Eventually.WaitForAsync(async () =>
        {
            var client = _sandbox.ApiClient(); // the CLI token, once the daemon wrote it
            try
            {
                using var probe = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
                if (probe.IsSuccessStatusCode)
                {
                    return client;
                }
            }
            catch (HttpRequestException)
            {
            }

            client.Dispose();
            return null;
        }, TimeSpan.FromSeconds(60), "the daemon answering with the CLI token", () => daemon.Output);
        using var anonymous = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_sandbox.HealthPort}") };

        // When
        using var health = await anonymous.GetAsync(new Uri("/health", UriKind.Relative));
        using var metrics = await anonymous.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var live = await anonymous.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var metricsWithToken = await withToken.GetAsync(new Uri("/metrics", UriKind.Relative));
        var (inspectCode, inspect) = await _sandbox.RunCliAsync("inspect", "--live");

        // Then
        Assert.Equal(HttpStatusCode.Unauthorized, health.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metricsWithToken.StatusCode);
        Assert.True(inspectCode == 0, inspect); // the CLI (and the container healthcheck) reads the CLI token through --config
    }

    [Fact]
    public async Task Should_throttle_password_guessing_and_refuse_even_the_right_password_while_locked()
    {
        // Given a user
        var (addCode, addOutput) = await _sandbox.RunCliWithInputAsync(Password + "\n", "user", "add", "admin", "--password-stdin");
        Assert.True(addCode == 0, addOutput);
        await using var daemon = _sandbox.StartDaemon();
        await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("status").GetString() == "ok", "the daemon healthy");
        using var web = new WebSession(_sandbox.HealthPort);

        // When five wrong guesses come, then the right password
        var guesses = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            using var guess = await web.LoginAsync("admin", $"guess-{i}-wrong");
            guesses.Add(guess.Headers.Location!.OriginalString);
        }

        using var right = await web.LoginAsync("admin", Password);
        using var home = await web.Http.GetAsync(new Uri("/", UriKind.Relative));

        // Then
        Assert.All(guesses, location => Assert.Contains("error=bad", location, StringComparison.Ordinal));
        Assert.Contains("error=throttled", right.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.True(right.Headers.RetryAfter is not null || right.Headers.Contains("Retry-After"));
        Assert.DoesNotContain(web.Cookies, c => c.Name == "homesec_session");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Contains("Failed login for admin from 127.0.0.1", daemon.Output, StringComparison.Ordinal);
        Assert.Contains("too many failed logins", daemon.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("guess-0-wrong", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_answer_not_found_for_ids_that_try_to_escape_and_encode_them_on_the_page()
    {
        // Given a logged-in session
        var (addCode, addOutput) = await _sandbox.RunCliWithInputAsync(Password + "\n", "user", "add", "admin", "--password-stdin");
        Assert.True(addCode == 0, addOutput);
        await using var daemon = _sandbox.StartDaemon();
        await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("status").GetString() == "ok", "the daemon healthy");
        using var web = new WebSession(_sandbox.HealthPort);
        using var login = await web.LoginAsync("admin", Password);

        // When
        var statuses = new Dictionary<string, HttpStatusCode>();
        foreach (var path in new[] { "/media/clips/..%2F..%2F..%2Fetc%2Fpasswd", "/media/clips/%2e%2e", "/media/snapshots/..%2Fhomesec.yaml", "/media/cameras/..%2F..%2Fetc/live" })
        {
            using var response = await web.Http.GetAsync(new Uri(path, UriKind.Relative));
            statuses[path] = response.StatusCode;
        }

        var page = await web.Http.GetStringAsync(new Uri("/clips/%3Cscript%3Ealert(1)%3C%2Fscript%3E", UriKind.Relative));

        // Then
        Assert.All(statuses, pair => Assert.Equal(HttpStatusCode.NotFound, pair.Value));
        Assert.DoesNotContain("<script>alert(1)", page, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", page, StringComparison.Ordinal);
    }
}
