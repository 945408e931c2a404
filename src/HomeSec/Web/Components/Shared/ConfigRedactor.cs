using System.Text.RegularExpressions;

namespace HomeSec.Web.Components.Shared;

/// <summary>
/// The config file as the System page shows it. HomeSec reads secrets only from environment variables, but a person may
/// still have typed one in: passwords inside URLs and the values of keys that look secret (not their <c>*_env</c> names)
/// are masked line by line.
/// </summary>
public static partial class ConfigRedactor
{
    public const string Mask = "••••••";

    public static string Redact(string yaml) =>
        string.Join('\n', yaml.Split('\n').Select(line =>
        {
            var masked = UrlCredentials().Replace(line, m => m.Groups["scheme"].Value + Mask + "@");
            return SecretKey().Replace(masked, m => m.Groups["key"].Value + Mask);
        }));

    [GeneratedRegex(@"(?<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", RegexOptions.IgnoreCase)]
    private static partial Regex UrlCredentials();

    [GeneratedRegex(@"(?<key>^\s*-?\s*[A-Za-z0-9_]*(password|passwd|secret|token|api_key|apikey|dsn)(?![A-Za-z0-9_]*_env\b)[A-Za-z0-9_]*\s*:\s*)(?!\s*$)\S.*$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretKey();
}
