using System.Globalization;
using System.Text.RegularExpressions;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>A scrape of <c>/metrics</c> read as Prometheus reads it: the declared type of each family and each sample's value.</summary>
public sealed partial class PrometheusText
{
    private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _samples = new(StringComparer.Ordinal);

    public PrometheusText(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (TypeLine().Match(line) is { Success: true } type)
            {
                _types[type.Groups["name"].Value] = type.Groups["type"].Value;
            }
            else if (!line.StartsWith('#') && SampleLine().Match(line) is { Success: true } sample
                     && double.TryParse(sample.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                _samples[sample.Groups["series"].Value] = value;
            }
        }
    }

    public string Text { get; }

    /// <summary>The <c># TYPE</c> of a metric family (counter, gauge, histogram, …); null when it is not exported.</summary>
    public string? TypeOf(string family) => _types.GetValueOrDefault(family);

    /// <summary>The value of one series, written as in the text: <c>name</c> or <c>name{label="value",…}</c>; null when absent.</summary>
    public double? Value(string series) => _samples.TryGetValue(series, out var value) ? value : null;

    public static async Task<PrometheusText> ScrapeAsync(HttpClient http) =>
        new(await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)));

    [GeneratedRegex(@"^# TYPE (?<name>\S+) (?<type>\S+)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^(?<series>[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?) (?<value>\S+)$")]
    private static partial Regex SampleLine();
}
