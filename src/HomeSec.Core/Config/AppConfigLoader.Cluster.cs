using System.Globalization;

namespace HomeSec.Core.Config;

public static partial class AppConfigLoader
{
    public const string SeedNodesVariable = "HOMESEC_CLUSTER_SEED_NODES";
    public const string PublicHostnameVariable = "HOMESEC_CLUSTER_PUBLIC_HOSTNAME";
    public const string PortVariable = "HOMESEC_CLUSTER_PORT";
    public const string RolesVariable = "HOMESEC_CLUSTER_ROLES";
    public const string FramePortVariable = "HOMESEC_CLUSTER_FRAME_PORT";

    /// <summary>
    /// <c>cluster</c>, with the environment overriding <c>seed_nodes</c> (comma-separated), <c>public_hostname</c>,
    /// <c>port</c>, <c>frame_port</c> and <c>roles</c> (comma-separated) when the cluster is enabled: one image serves every node of a compose file.
    /// </summary>
    private static ClusterConfig ReadCluster(ConfigSection section)
    {
        var defaults = ClusterConfig.Disabled;
        var enabled = section.Bool("enabled", false);
        // Only a cluster node reads the variables: without cluster.enabled nothing changes, whatever the environment holds.
        string? Env(string variable) => enabled ? section.EnvironmentValue(variable) : null;
        // The file's value is read even when the environment overrides it, so the key counts as known.
        var fileRoles = section.StringList("roles", defaults.Roles);
        var roles = Env(RolesVariable) is { } roleList ? SplitList(roleList) : fileRoles;
        foreach (var role in roles.Where(r => !ClusterConfig.AllowedRoles.Contains(r, StringComparer.Ordinal)))
        {
            Report(section, "roles", RolesVariable, $"'{role}' is not allowed; allowed: {string.Join(", ", ClusterConfig.AllowedRoles)}");
        }

        if (roles.Count == 0)
        {
            Report(section, "roles", RolesVariable, $"needs at least one role; allowed: {string.Join(", ", ClusterConfig.AllowedRoles)}");
        }
        else if (roles.Distinct(StringComparer.Ordinal).Count() != roles.Count)
        {
            Report(section, "roles", RolesVariable, "lists a role twice");
        }

        var hostname = section.String("hostname", defaults.Hostname)!.Trim();
        if (hostname.Length == 0 || Uri.CheckHostName(hostname) == UriHostNameType.Unknown)
        {
            section.Error("hostname", $"'{hostname}' is not allowed; expected a host name or IP address to bind to (0.0.0.0 for every interface)");
        }

        var filePublicHostname = section.String("public_hostname");
        var publicHostname = (Env(PublicHostnameVariable) ?? filePublicHostname)?.Trim();
        if (publicHostname is not null && (Uri.CheckHostName(publicHostname) == UriHostNameType.Unknown || publicHostname is "0.0.0.0" or "::"))
        {
            Report(section, "public_hostname", PublicHostnameVariable, $"'{publicHostname}' is not allowed; expected the host name or IP address other nodes reach this one at");
        }

        var port = section.Int("port", defaults.Port, 1, 65535);
        if (Env(PortVariable) is { } portText)
        {
            if (int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var fromEnvironment) && fromEnvironment is >= 1 and <= 65535)
            {
                port = fromEnvironment;
            }
            else
            {
                section.EnvironmentError("port", PortVariable, $"'{portText}' is not allowed; expected a whole number from 1 to 65535");
            }
        }

        var framePort = section.Int("frame_port", port < 65535 ? port + 1 : 0, 0, 65535);
        if (Env(FramePortVariable) is { } framePortText)
        {
            if (int.TryParse(framePortText, NumberStyles.None, CultureInfo.InvariantCulture, out var fromEnvironment) && fromEnvironment is >= 0 and <= 65535)
            {
                framePort = fromEnvironment;
            }
            else
            {
                section.EnvironmentError("frame_port", FramePortVariable, $"'{framePortText}' is not allowed; expected a whole number from 0 (no frame port) to 65535");
            }
        }

        if (enabled && framePort == port)
        {
            Report(section, "frame_port", FramePortVariable, $"{framePort} is the remoting port (cluster.port) too; expected another port, or 0 for none");
        }

        var tls = ReadClusterTls(section, enabled, hostname);
        var fileSeeds = section.StringList("seed_nodes", []);
        var seedTexts = Env(SeedNodesVariable) is { } seedList ? SplitList(seedList) : fileSeeds;
        var seeds = new List<string>();
        foreach (var text in seedTexts)
        {
            if (SeedAddress(text, tls is not null) is { } seed)
            {
                seeds.Add(seed);
            }
            else
            {
                Report(section, "seed_nodes", SeedNodesVariable,
                    $"'{text}' is not allowed; expected HOST:PORT (or akka.tcp://{ClusterConfig.SystemName}@HOST:PORT)");
            }
        }

        var localFallback = section.Bool("local_fallback", defaults.LocalFallback);
        var timeout = section.Seconds("request_timeout_s", defaults.RequestTimeout.TotalSeconds, 0.1, 600);
        var joinTimeout = section.Seconds("join_timeout_s", defaults.JoinTimeout.TotalSeconds, 0, 3600);
        var cluster = new ClusterConfig(enabled, roles, hostname, publicHostname, port, seeds, localFallback, timeout, tls)
        {
            FramePort = framePort,
            JoinTimeout = joinTimeout,
        };
        if (enabled && !cluster.RunsNvr && seeds.Count == 0)
        {
            Report(section, "seed_nodes", SeedNodesVariable, "an inference-only node needs the NVR's address to join (e.g. akka.tcp://homesec@nvr:4053)");
        }

        return cluster;

        static void Report(ConfigSection section, string key, string variable, string message)
        {
            if (section.Bool("enabled", false) && section.EnvironmentValue(variable) is not null)
            {
                section.EnvironmentError(key, variable, message);
            }
            else
            {
                section.Error(key, message);
            }
        }
    }

    /// <summary>
    /// <c>cluster.tls</c> (certificate_path, password_env), checked by opening the file. Without it remoting is plain TCP,
    /// which anyone who reaches the port could join: allowed only when the port listens on loopback, or when
    /// <c>cluster.allow_plaintext: true</c> says the network is trusted by other means (a VPN, a cable between two boxes).
    /// </summary>
    private static ClusterTls? ReadClusterTls(ConfigSection section, bool enabled, string hostname)
    {
        var allowPlaintext = section.Bool("allow_plaintext", false);
        if (!section.Has("tls"))
        {
            if (enabled && !allowPlaintext && !IsLoopback(hostname))
            {
                section.Error("tls", $"is needed when the remoting port listens beyond loopback (hostname '{hostname}'): without it anyone on the " +
                    "network could join the cluster. Set cluster.tls.certificate_path to the household certificate (homesec cluster certificate create), " +
                    "or cluster.allow_plaintext: true if the network between the nodes is trusted");
            }

            return null;
        }

        var tlsSection = section.Section("tls");
        var path = tlsSection.String("certificate_path", required: true);
        var passwordEnv = tlsSection.String("password_env");
        if (path is null)
        {
            return null;
        }

        var tls = new ClusterTls(Path.GetFullPath(path), passwordEnv);
        if (enabled)
        {
            var (certificate, problem) = tls.Load(tlsSection.EnvironmentValue);
            certificate?.Dispose();
            if (problem is not null)
            {
                tlsSection.Error(passwordEnv is not null && problem.StartsWith("environment", StringComparison.Ordinal) ? "password_env" : "certificate_path", problem);
            }
        }

        return tls;
    }

    private static bool IsLoopback(string hostname) =>
        hostname.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(hostname, out var address) && System.Net.IPAddress.IsLoopback(address));

    /// <summary>
    /// The full seed address, or null when it is not one (another system name, no port, another protocol). Its protocol
    /// follows this node's transport (<c>akka.ssl.tcp</c> over TLS, else <c>akka.tcp</c>) whichever of the two was written:
    /// a cluster has one transport, and an address of the other would never connect.
    /// </summary>
    public static string? SeedAddress(string text, bool tls = false)
    {
        var trimmed = text.Trim();
        var full = trimmed.Contains("://", StringComparison.Ordinal) ? trimmed : $"akka.tcp://{ClusterConfig.SystemName}@{trimmed}";
        if (!Uri.TryCreate(full, UriKind.Absolute, out var uri) || uri.Scheme is not ("akka.tcp" or "akka.ssl.tcp") || uri.UserInfo != ClusterConfig.SystemName
            || uri.Host.Length == 0 || uri.IsDefaultPort || uri.Port is < 1 or > 65535 || uri.AbsolutePath is not ("" or "/"))
        {
            return null;
        }

        return $"{ClusterConfig.ProtocolFor(tls)}://{ClusterConfig.SystemName}@{uri.Host}:{uri.Port}";
    }

    private static List<string> SplitList(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
