using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using Xunit;

namespace HomeSec.Tests.Plugins.Notifiers;

/// <summary>What the specs of the HTTP notifiers (webhook, ntfy, telegram) share: an alert, the error statuses, the outcome checks.</summary>
internal static class HttpNotifierCases
{
    public static readonly DateTimeOffset Noon = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    public static Alert Alert(RiskLevel? risk = RiskLevel.High, string? summary = "A person takes the parcel from the porch.", string? viewUrl = "https://www.dropbox.com/s/abc/clip.mp4?dl=0") => new(
        ClipId.For("front_door", Noon),
        "front_door",
        "dropbox:/homesec/front_door/clip.mp4",
        viewUrl,
        risk,
        risk is null ? null : "package_theft",
        risk is null ? "person detected without a VLM analysis (vlm_timeout: the description service did not answer in time)" : "risk high is at or above min_risk_level medium",
        summary,
        Noon,
        UploadFailed: viewUrl is null);

    /// <summary>Statuses that asking again will not change: the alert is rejected (not retried, not kept in the outbox).</summary>
    public static TheoryData<int> RejectedStatuses => new() { 400, 401, 403, 404 };

    /// <summary>Statuses of a receiver that is down or overloaded: retried, then kept in the outbox.</summary>
    public static TheoryData<int> RetriedStatuses => new() { 500, 502, 503 };

    public static void AssertRetried(Exception failure)
    {
        Assert.IsNotType<DeliveryRejectedException>(failure);
        Assert.IsNotType<OperationCanceledException>(failure);
    }

    /// <summary>Neither the message nor what a log line with the exception prints (type, inner exceptions, stack) shows a secret.</summary>
    public static void AssertShowsNoSecret(Exception failure, params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, failure.ToString(), StringComparison.Ordinal);
        }
    }

    public static AppConfig Load(string notifier, IDictionary<string, string>? environment = null) =>
        AppConfigLoader.Load(TestSupport.ConfigYaml.With("notifiers:\n" + notifier), PluginRegistries.CreateBuiltin(),
            name => environment?.TryGetValue(name, out var value) == true ? value : null);

    public static IReadOnlyList<ConfigError> Errors(string notifier, IDictionary<string, string>? environment = null) =>
        Assert.Throws<ConfigException>(() => Load(notifier, environment)).Errors;
}
