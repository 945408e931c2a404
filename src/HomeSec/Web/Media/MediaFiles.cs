namespace HomeSec.Web.Media;

/// <summary>
/// Which files the media endpoints may send. A request names a clip, never a path; the path comes from the clip's own
/// events. Even so a watched folder is writable by others (a camera, an FTP user, anyone with the share), so a file that
/// is a link, or sits below a linked folder, could point anywhere (<c>clip.mp4 → /etc/shadow</c>): only plain files whose
/// real path is the path itself, with a media extension, are served.
/// </summary>
public static class MediaFiles
{
    public static readonly IReadOnlyDictionary<string, string> VideoTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".mp4"] = "video/mp4",
        [".m4v"] = "video/mp4",
        [".mov"] = "video/quicktime",
        [".mkv"] = "video/x-matroska",
        [".webm"] = "video/webm",
        [".ts"] = "video/mp2t",
        [".avi"] = "video/x-msvideo",
    };

    public static readonly IReadOnlyDictionary<string, string> ImageTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
    };

    /// <summary>The full path and content type when the file may be sent; null otherwise.</summary>
    public static (string Path, string ContentType)? Servable(string? path, IReadOnlyDictionary<string, string> types)
    {
        if (string.IsNullOrEmpty(path) || !System.IO.Path.IsPathFullyQualified(path))
        {
            return null;
        }

        var full = System.IO.Path.GetFullPath(path);
        if (!types.TryGetValue(System.IO.Path.GetExtension(full), out var contentType))
        {
            return null;
        }

        var file = new FileInfo(full);
        if (!file.Exists || file.LinkTarget is not null || (file.Attributes & FileAttributes.ReparsePoint) != 0)
        {
            return null;
        }

        for (var folder = file.Directory; folder is not null; folder = folder.Parent)
        {
            if (folder.LinkTarget is not null)
            {
                return null;
            }
        }

        return (full, contentType);
    }
}
