using System.Net;
using System.Text.RegularExpressions;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>A browser-like HTTP client of the web UI: keeps cookies, does not follow redirects, reads forms' CSRF tokens.</summary>
public sealed partial class WebSession : IDisposable
{
    private readonly HttpClientHandler _handler = new() { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };

    public WebSession(int port)
    {
        Http = new HttpClient(_handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(20) };
    }

    public HttpClient Http { get; }

    public CookieCollection Cookies => _handler.CookieContainer.GetAllCookies();

    /// <summary>The CSRF token of the first form on the page.</summary>
    public async Task<string> FormTokenAsync(string path)
    {
        var html = await Http.GetStringAsync(new Uri(path, UriKind.Relative));
        return FormToken().Match(html) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException($"no form token on {path}");
    }

    public async Task<HttpResponseMessage> LoginAsync(string user, string password) =>
        await Http.PostAsync(new Uri("/login", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await FormTokenAsync("/login"),
            ["user"] = user,
            ["password"] = password,
            ["returnUrl"] = "/",
        }));

    public async Task<HttpResponseMessage> PostFormAsync(string path, string tokenFromPage, Dictionary<string, string>? fields = null)
    {
        var form = new Dictionary<string, string>(fields ?? []) { ["__RequestVerificationToken"] = await FormTokenAsync(tokenFromPage) };
        return await Http.PostAsync(new Uri(path, UriKind.Relative), new FormUrlEncodedContent(form));
    }

    public void Dispose()
    {
        Http.Dispose();
        _handler.Dispose();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();
}
