namespace HomeSec.Hosting;

/// <summary>
/// An exclusive lock on <c>{local_state_dir}/daemon.lock</c>, held while a daemon runs, so a second daemon (or a
/// <c>cleanup</c> that writes events) cannot share its event spool and journal streams. The kernel drops it when the
/// process dies, also by kill -9, so a crash never leaves a stale lock behind.
/// </summary>
public sealed class DaemonLock : IDisposable
{
    private readonly FileStream _file;

    private DaemonLock(FileStream file) => _file = file;

    public static string PathIn(string localStateDir) => Path.Combine(localStateDir, "daemon.lock");

    /// <returns>Null when another process holds it.</returns>
    public static DaemonLock? TryAcquire(string localStateDir)
    {
        Directory.CreateDirectory(localStateDir);
        try
        {
            // FileShare.None is an advisory flock(LOCK_EX) on Linux: a second open fails while this one lives.
            var file = new FileStream(PathIn(localStateDir), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            file.SetLength(0);
            using (var writer = new StreamWriter(file, leaveOpen: true))
            {
                writer.Write(Environment.ProcessId);
            }

            file.Flush();
            return new DaemonLock(file);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => _file.Dispose();
}
