using System.Text.RegularExpressions;

namespace HomeSec.Core.Plugins.Sources.Rtsp;

/// <summary>
/// Removes credentials from anything that may reach a log, an exception or /health: the user info of
/// every URL in the text, and the known user names and passwords wherever they appear (ffmpeg may print
/// them decoded or on their own).
/// </summary>
public sealed partial class UrlRedactor
{
    public const string Mask = "***";

    private readonly string[] _secrets;

    public UrlRedactor(IEnumerable<string?> urls)
    {
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var url in urls)
        {
            if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.UserInfo.Length == 0)
            {
                continue;
            }

            foreach (var part in uri.UserInfo.Split(':'))
            {
                // Very short secrets would mask unrelated text ("a"); their URLs are still masked by the pattern.
                if (part.Length >= 3)
                {
                    secrets.Add(part);
                    secrets.Add(Uri.UnescapeDataString(part));
                }
            }
        }

        _secrets = secrets.OrderByDescending(s => s.Length).ToArray();
    }

    public static UrlRedactor None { get; } = new([]);

    /// <summary><c>rtsp://user:pass@host/x</c> → <c>rtsp://***@host/x</c>.</summary>
    public static string RedactUrls(string text) => UserInfo().Replace(text, "$1" + Mask + "@");

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var redacted = RedactUrls(text);
        foreach (var secret in _secrets)
        {
            redacted = redacted.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return redacted;
    }

    [GeneratedRegex(@"([A-Za-z][A-Za-z0-9+.\-]*://)[^/@\s""']+@")]
    private static partial Regex UserInfo();
}
