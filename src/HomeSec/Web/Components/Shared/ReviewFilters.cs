using System.Globalization;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Cli;
using Microsoft.AspNetCore.Http;

namespace HomeSec.Web.Components.Shared;

/// <summary>The review list's filters as they travel in the URL (so a filtered view can be bookmarked and shared).</summary>
public sealed record ReviewFilters(string? Camera, string? Risk, string? DetectedClass, bool AlertedOnly, bool UnreviewedOnly, string? Since, string? Before)
{
    public const int PageSize = 30;

    public static ReviewFilters FromQuery(IQueryCollection query)
    {
        string? Text(string key) => query[key].ToString() is { Length: > 0 and <= 200 } value ? value : null;
        return new ReviewFilters(Text("camera"), Text("risk"), Text("class"), query["alerted"] == "1", query["unreviewed"] == "1", Text("since"), Text("before"));
    }

    public ReviewQuery ToQuery(DateTimeOffset? after = null, string? clipId = null) => new(
        Camera,
        Risk,
        DetectedClass,
        AlertedOnly,
        UnreviewedOnly,
        Since is null ? null : ClipsCommand.ParseSince(Since, DateTimeOffset.UtcNow),
        ParseCursor(Before),
        after,
        clipId,
        PageSize);

    /// <summary>The URL of the next page: these filters, starting after <paramref name="last"/>.</summary>
    public string NextPage(ReviewRow last) => "/?" + QueryString(this with { Before = Cursor(last) });

    public static string Cursor(ReviewRow row) => row.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + "_" + row.State.ClipId.Value;

    public static string QueryString(ReviewFilters filters)
    {
        var parts = new List<string>();
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                parts.Add($"{key}={Uri.EscapeDataString(value)}");
            }
        }

        Add("camera", filters.Camera);
        Add("risk", filters.Risk);
        Add("class", filters.DetectedClass);
        Add("alerted", filters.AlertedOnly ? "1" : null);
        Add("unreviewed", filters.UnreviewedOnly ? "1" : null);
        Add("since", filters.Since);
        Add("before", filters.Before);
        return string.Join("&", parts);
    }

    private static ReviewCursor? ParseCursor(string? text)
    {
        var separator = text?.IndexOf('_') ?? -1;
        return separator > 0 && long.TryParse(text![..separator], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) &&
               ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? new ReviewCursor(new DateTimeOffset(ticks, TimeSpan.Zero), text[(separator + 1)..])
            : null;
    }
}
