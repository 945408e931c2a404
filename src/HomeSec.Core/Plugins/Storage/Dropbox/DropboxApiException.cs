namespace HomeSec.Core.Plugins.Storage.Dropbox;

/// <summary>
/// Dropbox answered an error. The message names the endpoint, the status and Dropbox's <c>error_summary</c>
/// (e.g. <c>path/insufficient_space/..</c>); it never carries a token or secret.
/// </summary>
public sealed class DropboxApiException : Exception
{
    public DropboxApiException(string endpoint, int statusCode, string? errorSummary, string message)
        : base(message)
    {
        Endpoint = endpoint;
        StatusCode = statusCode;
        ErrorSummary = errorSummary;
    }

    public DropboxApiException()
    {
        Endpoint = "";
    }

    public DropboxApiException(string message)
        : base(message)
    {
        Endpoint = "";
    }

    public DropboxApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Endpoint = "";
    }

    /// <summary>The API route, e.g. <c>files/upload</c>.</summary>
    public string Endpoint { get; }

    public int StatusCode { get; }

    /// <summary>Dropbox's machine-readable error path, when the body had one.</summary>
    public string? ErrorSummary { get; }
}
