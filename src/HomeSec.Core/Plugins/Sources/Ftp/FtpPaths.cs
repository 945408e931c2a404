namespace HomeSec.Core.Plugins.Sources.Ftp;

/// <summary>
/// Maps the paths a client names (absolute from "/" or relative to its working folder) onto the
/// camera's root folder. A path that would climb above "/" or touch a reserved folder is refused,
/// never clamped, so a client cannot be confused about where its file went.
/// </summary>
public sealed class FtpPaths(string root)
{
    /// <summary>HomeSec's own folders inside the root (uploads in progress, the manifest).</summary>
    public static readonly IReadOnlySet<string> ReservedNames = new HashSet<string>(StringComparer.Ordinal) { ".partial", ".homesec" };

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The normalised virtual path ("/a/b"), or null when it escapes the root or is not a valid name.</summary>
    public string? Virtual(string currentDirectory, string requested)
    {
        if (requested.Contains('\0', StringComparison.Ordinal) || requested.Contains('\\', StringComparison.Ordinal))
        {
            return null;
        }

        var segments = new List<string>();
        var start = requested.StartsWith('/') ? requested : currentDirectory.TrimEnd('/') + "/" + requested;
        foreach (var segment in start.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (segment)
            {
                case ".":
                    continue;
                case "..":
                    if (segments.Count == 0)
                    {
                        return null;
                    }

                    segments.RemoveAt(segments.Count - 1);
                    continue;
                default:
                    segments.Add(segment);
                    continue;
            }
        }

        if (segments.Count > 0 && ReservedNames.Contains(segments[0]))
        {
            return null;
        }

        return "/" + string.Join('/', segments);
    }

    /// <summary>The file system path of a virtual path, checked once more against the root.</summary>
    public string? Physical(string virtualPath)
    {
        var relative = virtualPath.TrimStart('/');
        var full = Path.GetFullPath(relative.Length == 0 ? Root : Path.Combine(Root, relative));
        return full == Root || full.StartsWith(Root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : null;
    }

    /// <summary>Both at once: null when the request escapes the root.</summary>
    public (string Virtual, string Physical)? Resolve(string currentDirectory, string requested) =>
        Virtual(currentDirectory, requested) is { } virtualPath && Physical(virtualPath) is { } physical
            ? (virtualPath, physical)
            : null;
}
