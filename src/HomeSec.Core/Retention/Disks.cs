namespace HomeSec.Core.Retention;

/// <summary>Which filesystem a path is on, and how much room it has (statvfs through <see cref="DriveInfo"/>).</summary>
public sealed class Disks
{
    private readonly IReadOnlyList<string> _mountPoints;

    private Disks(IReadOnlyList<string> mountPoints) => _mountPoints = mountPoints;

    /// <summary>The mount points as the kernel lists them now, longest first (a path belongs to the deepest one above it).</summary>
    public static Disks Current()
    {
        var mounts = DriveInfo.GetDrives().Select(d => d.RootDirectory.FullName).ToList();
        if (!mounts.Contains("/"))
        {
            mounts.Add("/");
        }

        return new Disks([.. mounts.Select(m => m.Length > 1 ? m.TrimEnd('/') : m).Distinct().OrderByDescending(m => m.Length)]);
    }

    public string VolumeOf(string path)
    {
        var full = Path.GetFullPath(path);
        return _mountPoints.FirstOrDefault(m => m == "/" || full == m || full.StartsWith(m + "/", StringComparison.Ordinal)) ?? "/";
    }

    /// <summary>Free space for an unprivileged writer (what a recording can still use), or null when the filesystem cannot be read.</summary>
    public static VolumeSpace? Space(string mountPoint)
    {
        try
        {
            var drive = new DriveInfo(mountPoint);
            return new VolumeSpace(mountPoint, drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
