using System.Net.Http;

namespace HomeSec.Core.Results;

/// <summary>Names what kind of failure a stage error is, for people reading <c>/health</c> and the metrics.</summary>
public static class StageFailureKinds
{
    /// <summary>
    /// <c>disk_full</c>, <c>permission</c>, <c>server_error</c> (5xx), <c>client_error</c> (4xx), <c>timeout</c>,
    /// <c>not_found</c>, <c>network</c> or <c>other</c>.
    /// </summary>
    public static string Classify(Exception exception) => exception switch
    {
        IOException io when IsDiskFull(io) => "disk_full",
        Plugins.Storage.Dropbox.DropboxApiException { ErrorSummary: { } summary } when summary.Contains("insufficient_space", StringComparison.Ordinal) => "disk_full",
        Plugins.Storage.Dropbox.DropboxApiException { StatusCode: >= 500 } => "server_error",
        Plugins.Storage.Dropbox.DropboxApiException { StatusCode: 401 or 403 } => "permission",
        Plugins.Storage.Dropbox.DropboxApiException { StatusCode: >= 400 } => "client_error",
        UnauthorizedAccessException => "permission",
        IOException io when io.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase) => "permission",
        TimeoutException or OperationCanceledException => "timeout",
        FileNotFoundException or DirectoryNotFoundException => "not_found",
        HttpRequestException { StatusCode: { } status } when (int)status >= 500 => "server_error",
        HttpRequestException { StatusCode: { } status } when (int)status >= 400 => "client_error",
        HttpRequestException => "network",
        _ when exception.InnerException is { } inner => Classify(inner),
        _ => "other",
    };

    /// <summary>ENOSPC (28) or EDQUOT (122) on Linux, ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.</summary>
    private static bool IsDiskFull(IOException exception) =>
        (exception.HResult & 0xFFFF) is 28 or 122 or 0x70 or 0x27
        || exception.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
        || exception.Message.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase);
}
