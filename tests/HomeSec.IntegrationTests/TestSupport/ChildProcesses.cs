using System.Globalization;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>Finds processes by their command line in /proc (Linux), e.g. the ffmpeg instances reading one test server.</summary>
public static class ChildProcesses
{
    public static IReadOnlyList<int> FfmpegWith(string argumentPart)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var arguments = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                var state = File.ReadAllText(Path.Combine(dir, "stat"));
                var zombie = state[(state.LastIndexOf(')') + 2)..].StartsWith('Z');
                if (!zombie && arguments.Length > 0 && Path.GetFileName(arguments[0]) == "ffmpeg" && arguments.Any(a => a.Contains(argumentPart, StringComparison.Ordinal)))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // exited while we looked
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}
