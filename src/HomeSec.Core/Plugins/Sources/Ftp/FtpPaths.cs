using Microsoft.Win32.SafeHandles;

namespace HomeSec.Core.Plugins.Sources.Ftp;

/// <summary>
/// Maps the paths a client names (absolute from "/" or relative to its working folder) onto the
/// camera's root folder. A path that would climb above "/" or touch a reserved folder is refused,
/// never clamped, so a client cannot be confused about where its file went.
/// Symbolic links are never followed below the root: a path with a link anywhere between the root and
/// its last component is refused, because the text of a path says nothing about where a link leads
/// (a link in the root once let a client write to /etc). The root itself is resolved once, so an
/// administrator may point it at a linked folder.
/// </summary>
public sealed class FtpPaths(string root)
{
    /// <summary>HomeSec's own folders inside the root (uploads in progress, the manifest).</summary>
    public static readonly IReadOnlySet<string> ReservedNames = new HashSet<string>(StringComparer.Ordinal) { ".partial", ".homesec" };

    private const int MaxLinkHops = 40;

    public string Root { get; } = RealPath(Path.GetFullPath(root), 0);

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

    /// <summary>The file system path of a virtual path, checked once more against the root; null when it leaves the root or goes through a symbolic link.</summary>
    public string? Physical(string virtualPath)
    {
        var relative = virtualPath.TrimStart('/');
        var full = Path.GetFullPath(relative.Length == 0 ? Root : Path.Combine(Root, relative));
        return IsUnderRoot(full) && !GoesThroughLink(full) ? full : null;
    }

    public bool IsUnderRoot(string full) =>
        full == Root || full.StartsWith(Root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>True when a component of <paramref name="full"/> below the root (the last one included) is a symbolic link.</summary>
    public bool GoesThroughLink(string full)
    {
        var current = Root;
        foreach (var segment in Path.GetRelativePath(Root, full).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == ".")
            {
                continue;
            }

            current = Path.Combine(current, segment);
            var entry = new FileInfo(current);
            if (entry.LinkTarget is not null)
            {
                return true;
            }

            if (!entry.Exists && !Directory.Exists(current))
            {
                // nothing below a missing component exists; creating it is checked again on use
                return false;
            }
        }

        return false;
    }

    /// <summary>
    /// After opening: is the file behind <paramref name="handle"/> really <paramref name="expected"/>?
    /// A link swapped in between the check and the open would show up here: on Linux the kernel names
    /// the opened file in /proc/self/fd (with every link resolved); elsewhere the path is checked again.
    /// </summary>
    public bool OpenedAsExpected(SafeFileHandle handle, string expected)
    {
        var descriptor = new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}");
        return descriptor.LinkTarget is { } opened
            ? opened == expected
            : !GoesThroughLink(expected);
    }

    /// <summary>The path with every symbolic link resolved (a missing tail is kept as written).</summary>
    private static string RealPath(string full, int hops)
    {
        var result = Path.GetPathRoot(full) ?? "/";
        var segments = full[result.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < segments.Length; i++)
        {
            var next = Path.Combine(result, segments[i]);
            if (new FileInfo(next).LinkTarget is { } target && hops < MaxLinkHops)
            {
                var resolved = Path.GetFullPath(target, result);
                return RealPath(Path.Combine([resolved, .. segments[(i + 1)..]]), hops + 1);
            }

            result = next;
        }

        return result;
    }

    /// <summary>Both at once: null when the request escapes the root.</summary>
    public (string Virtual, string Physical)? Resolve(string currentDirectory, string requested) =>
        Virtual(currentDirectory, requested) is { } virtualPath && Physical(virtualPath) is { } physical
            ? (virtualPath, physical)
            : null;
}
