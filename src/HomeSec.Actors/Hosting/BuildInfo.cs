using System.Reflection;

namespace HomeSec.Actors.Hosting;

/// <summary>What was built: shown in the start-up banner and as <c>homesec_build_info{version}</c>.</summary>
public static class BuildInfo
{
    /// <summary>The informational version (e.g. <c>1.0.0+3f2c1a9…</c> when built from a git checkout).</summary>
    public static string Version { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(BuildInfo).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
