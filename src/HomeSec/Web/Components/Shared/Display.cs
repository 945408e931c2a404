using System.Globalization;
using HomeSec.Core.Clips;

namespace HomeSec.Web.Components.Shared;

/// <summary>How times, lengths and states read on the pages.</summary>
public static class Display
{
    public static string When(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Length(TimeSpan length) =>
        length.TotalMinutes >= 1 ? $"{(int)length.TotalMinutes}m {length.Seconds:00}s" : $"{length.TotalSeconds:0}s";

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0} KiB",
        _ => $"{bytes} B",
    };

    public static string UploadState(ClipState state) => state switch
    {
        { Status: ClipStatus.Deleted } => "deleted",
        { RemoteDeleted: true } => "storage copy deleted",
        { StorageUri: not null } => "stored",
        { UploadFailed: true } => "upload failed",
        { UploadFailures: > 0 } => "upload retrying",
        _ => "storing",
    };

    public static string UploadClass(ClipState state) => state switch
    {
        { StorageUri: not null, RemoteDeleted: false } => "ok",
        { UploadFailed: true } or { UploadFailures: > 0 } => "bad",
        _ => "pending",
    };
}
