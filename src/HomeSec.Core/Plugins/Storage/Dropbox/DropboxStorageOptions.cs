using HomeSec.Core.Config;
using HomeSec.Core.Config.Options;

namespace HomeSec.Core.Plugins.Storage.Dropbox;

/// <summary>
/// How the plugin gets its access token: a long-lived token, or an OAuth2 refresh token with the app's key
/// and secret (the access token is then fetched and renewed by the plugin). Never printed.
/// </summary>
public sealed record DropboxCredentials(string? AccessToken, string? RefreshToken, string? AppKey, string? AppSecret)
{
    public bool UsesRefreshToken => RefreshToken is not null;

    public static DropboxCredentials FromAccessToken(string accessToken) => new(accessToken, null, null, null);

    public static DropboxCredentials FromRefreshToken(string refreshToken, string appKey, string appSecret) => new(null, refreshToken, appKey, appSecret);

    /// <summary>Every secret this holds, so error texts can be scrubbed of them.</summary>
    public IEnumerable<string> Secrets() => new[] { AccessToken, RefreshToken, AppSecret }.OfType<string>().Where(s => s.Length > 0);

    /// <summary>The record's generated ToString would print the secrets.</summary>
    public override string ToString() => UsesRefreshToken ? "refresh token (set)" : "access token (set)";
}

/// <param name="Root">The Dropbox folder clips go to, e.g. <c>/homesec</c>; "" is the Dropbox root.</param>
/// <param name="ApiUrl">RPC endpoints (files/get_metadata, sharing/…), e.g. https://api.dropboxapi.com/2.</param>
/// <param name="ContentUrl">Content endpoints (files/upload, upload_session/…, files/download).</param>
/// <param name="OAuthUrl">Where <c>/oauth2/token</c> is.</param>
/// <param name="ChunkSizeBytes">Files larger than this go through an upload session in chunks of this size.</param>
/// <param name="SharedLinks">Whether a clip's view_url is a Dropbox shared link (created, or the existing one reused).</param>
/// <param name="RequestTimeout">For one HTTP attempt; storage.timeout_s bounds the whole upload.</param>
/// <param name="MaxRetries">Extra attempts after a 429, a 5xx or a network error; other 4xx are never retried.</param>
public sealed record DropboxStorageOptions(
    string Root,
    DropboxCredentials Credentials,
    Uri ApiUrl,
    Uri ContentUrl,
    Uri OAuthUrl,
    long ChunkSizeBytes,
    [property: Option("shared_links", Default = true)] bool SharedLinks,
    [property: Option("timeout_s", Min = 1, Max = 3600, Default = 120)] TimeSpan RequestTimeout,
    [property: Option("max_retries", Min = 0, Max = 10, Default = 4)] int MaxRetries,
    [property: Option("retry_backoff_s", Min = 0, Max = 600, Default = 1)] TimeSpan RetryBackoff,
    [property: Option("max_retry_backoff_s", Min = 0, Max = 3600, Default = 60)] TimeSpan MaxRetryBackoff)
{
    public const string DefaultRoot = "/homesec";
    public const string DefaultApiUrl = "https://api.dropboxapi.com/2";
    public const string DefaultContentUrl = "https://content.dropboxapi.com/2";
    public const string DefaultOAuthUrl = "https://api.dropboxapi.com";
    public const int DefaultChunkSizeMb = 8;

    /// <summary>Dropbox takes at most 150 MB in one upload request.</summary>
    public const int MaxChunkSizeMb = 150;

    public static DropboxStorageOptions Read(ConfigSection config)
    {
        var rootText = config.String("root", DefaultRoot)!.Trim();
        var root = rootText.TrimEnd('/');
        if ((root.Length > 0 && !root.StartsWith('/')) || root.Contains('\\', StringComparison.Ordinal) || root.Split('/').Any(s => s is "." or ".."))
        {
            config.Error("root", $"'{rootText}' is not allowed; expected a Dropbox folder path starting with '/', e.g. {DefaultRoot}");
            root = DefaultRoot;
        }

        var credentials = ReadCredentials(config);
        var apiUrl = Url(config, "api_url", DefaultApiUrl);
        var contentUrl = Url(config, "content_url", DefaultContentUrl);
        var oauthUrl = Url(config, "oauth_url", DefaultOAuthUrl);
        var chunkSizeMb = config.Int("chunk_size_mb", DefaultChunkSizeMb, 1, MaxChunkSizeMb);
        var options = OptionBinder.Bind<DropboxStorageOptions>(config);
        if (options.MaxRetryBackoff < options.RetryBackoff)
        {
            config.Error("max_retry_backoff_s", $"'{options.MaxRetryBackoff.TotalSeconds}' is below retry_backoff_s ({options.RetryBackoff.TotalSeconds}); expected max_retry_backoff_s ≥ retry_backoff_s");
        }

        return options with
        {
            Root = root,
            Credentials = credentials,
            ApiUrl = apiUrl,
            ContentUrl = contentUrl,
            OAuthUrl = oauthUrl,
            ChunkSizeBytes = chunkSizeMb * 1024L * 1024L,
        };
    }

    /// <summary>Exactly one way in: <c>token_env</c>, or <c>refresh_token_env</c> + <c>app_key_env</c> + <c>app_secret_env</c>.</summary>
    private static DropboxCredentials ReadCredentials(ConfigSection config)
    {
        var hasToken = config.Has("token_env");
        var refreshKeys = new[] { "refresh_token_env", "app_key_env", "app_secret_env" };
        var hasRefresh = refreshKeys.Any(config.Has);
        if (hasToken && hasRefresh)
        {
            config.Error("token_env",
                "token_env and refresh_token_env/app_key_env/app_secret_env are mutually exclusive; use either a long-lived access token (token_env) or the OAuth2 refresh flow (all three *_env keys)");
            foreach (var key in refreshKeys)
            {
                config.Has(key); // read, so they are not also reported as unknown keys
            }

            return DropboxCredentials.FromAccessToken("");
        }

        if (hasToken)
        {
            return DropboxCredentials.FromAccessToken(config.Secret("token_env", required: true) ?? "");
        }

        if (!hasRefresh)
        {
            config.Error("token_env is required (a long-lived access token), or refresh_token_env + app_key_env + app_secret_env for the OAuth2 refresh flow");
            return DropboxCredentials.FromAccessToken("");
        }

        var refreshToken = config.Secret("refresh_token_env", required: true);
        var appKey = config.Secret("app_key_env", required: true);
        var appSecret = config.Secret("app_secret_env", required: true);
        return DropboxCredentials.FromRefreshToken(refreshToken ?? "", appKey ?? "", appSecret ?? "");
    }

    private static Uri Url(ConfigSection config, string key, string defaultValue)
    {
        var text = config.String(key, defaultValue)!;
        if (Uri.TryCreate(text.TrimEnd('/'), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }

        config.Error(key, $"'{text}' is not allowed; expected an absolute http or https URL such as {defaultValue}");
        return new Uri(defaultValue);
    }

    /// <summary>The record's generated ToString would print the secrets.</summary>
    public override string ToString() =>
        $"dropbox {{ root = {(Root.Length == 0 ? "/" : Root)}, auth = {Credentials}, api_url = {ApiUrl}, chunk_size = {ChunkSizeBytes / (1024 * 1024)} MB, shared_links = {SharedLinks} }}";
}
