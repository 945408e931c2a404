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
            return SecretKey().Replace(masked, m => m.Groups["name"].Value.EndsWith("_env", StringComparison.OrdinalIgnoreCase)
                ? m.Value // the name of an environment variable, not a secret
                : m.Groups["key"].Value + Mask);
        }));

    [GeneratedRegex(@"(?<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", RegexOptions.IgnoreCase)]
    private static partial Regex UrlCredentials();

    /// <summary>A key that looks secret and its value, in block style (<c>key: value</c>) or in a flow map (<c>{key: value, …}</c>).</summary>
    [GeneratedRegex(@"(?<key>(?<![A-Za-z0-9_])(?<name>[A-Za-z0-9_]*(?:password|passwd|secret|token|api_key|apikey|dsn)[A-Za-z0-9_]*)\s*:[ \t]*)(?<value>""[^""]*""|'[^']*'|[^\s,}\]#][^,}\]#]*)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretKey();
}
