using System.Text;
using HomeSec.Core.Alerts;

namespace HomeSec.Core.Plugins.Notifiers.Telegram;

/// <summary>
/// The text of a Telegram alert in Telegram's HTML parse mode. Everything that came from a camera, a file or a model
/// (camera name, summary, reason, activity, link) is escaped, so a summary such as <c>&lt;b&gt;</c> or
/// <c>&lt;a href=…&gt;</c> is shown as text and cannot add markup or links.
/// </summary>
public static class TelegramCaption
{
    /// <summary>A photo caption may be 1024 characters, a message 4096 (counted after the markup is parsed).</summary>
    public const int MaxCaption = 1024;

    public const int MaxMessage = 4096;

    public static string For(Alert alert, int limit)
    {
        var risk = alert.RiskLevel?.ToWireName() ?? "unknown";
        var head = new StringBuilder()
            .Append("<b>HomeSec: ").Append(Escape(alert.CameraName)).Append("</b>\n")
            .Append("Risk: ").Append(Escape(risk));
        if (alert.ActivityType is { } activity)
        {
            head.Append(" · ").Append(Escape(activity));
        }

        head.Append('\n');
        var tail = new StringBuilder().Append('\n').Append("<i>").Append(Escape(Shorten(alert.NotifyReason, 200))).Append("</i>");
        if (alert.ViewUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out var link) && (link.Scheme == Uri.UriSchemeHttps || link.Scheme == Uri.UriSchemeHttp))
        {
            tail.Append("\n<a href=\"").Append(Escape(link.AbsoluteUri)).Append("\">View the clip</a>");
        }
        else if (alert.UploadFailed)
        {
            tail.Append("\nThe upload failed; the clip is kept on the NVR.");
        }

        // The summary gets what the fixed parts leave of the limit (markup counts generously here, as if visible).
        var room = Math.Max(40, limit - head.Length - tail.Length - 10);
        var summary = alert.Summary is { Length: > 0 } text ? Shorten(text, room) : "(no description)";
        return head.Append(Escape(summary)).Append(tail).ToString();
    }

    /// <summary>Telegram's HTML mode knows the entities &amp;lt; &amp;gt; &amp;amp; &amp;quot;: these four are all it needs.</summary>
    public static string Escape(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal);

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
