using System.Globalization;
using System.Net;
using System.Text;
using HomeSec.Core.Alerts;

namespace HomeSec.Core.Plugins.Notifiers.Email;

/// <summary>The subject, plain-text and HTML bodies of an alert email (every value HTML-escaped in the HTML body).</summary>
public sealed record EmailContent(string Subject, string Text, string Html)
{
    public static EmailContent For(Alert alert, string subjectTemplate)
    {
        var risk = alert.RiskLevel?.ToWireName() ?? "unknown";
        var activity = alert.ActivityType ?? "unknown";
        var time = alert.Ts.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
        var subject = subjectTemplate
            .Replace("{camera_name}", alert.CameraName, StringComparison.Ordinal)
            .Replace("{risk_level}", risk, StringComparison.Ordinal)
            .Replace("{activity_type}", activity, StringComparison.Ordinal)
            .Replace("{clip_id}", alert.ClipId.Value, StringComparison.Ordinal)
            .Replace("{notify_reason}", alert.NotifyReason, StringComparison.Ordinal)
            .ReplaceLineEndings(" ");
        var link = alert.ViewUrl ?? (alert.UploadFailed ? "not available (the upload failed; the clip is kept on the NVR)" : "not available");

        var rows = new (string Label, string Value)[]
        {
            ("Camera", alert.CameraName),
            ("Time", time),
            ("Risk", risk),
            ("Activity", activity),
            ("Summary", alert.Summary ?? "(no analysis)"),
            ("Reason", alert.NotifyReason),
            ("Clip", alert.ClipId.Value),
        };

        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"HomeSec alert from {alert.CameraName}")
            .AppendLine();
        foreach (var (label, value) in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{label}: {value}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"View: {link}");

        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">")
            .Append(CultureInfo.InvariantCulture, $"<h2>HomeSec alert from {Escape(alert.CameraName)}</h2><table>");
        foreach (var (label, value) in rows)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><th align=\"left\">{Escape(label)}</th><td>{Escape(value)}</td></tr>");
        }

        html.Append("</table>");
        html.Append(alert.ViewUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out _)
            ? $"<p><a href=\"{Escape(url)}\">View the clip</a></p>"
            : $"<p>View: {Escape(link)}</p>");
        html.Append("</body></html>");
        return new EmailContent(subject, text.ToString(), html.ToString());
    }

    private static string Escape(string value) => WebUtility.HtmlEncode(value);
}
