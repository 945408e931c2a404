using System.Globalization;
using System.Net;
using HomeSec.Core.Config;
using HomeSec.Core.Config.Options;
using HomeSec.Core.Media;

namespace HomeSec.Core.Plugins.Sources.Ftp;

/// <summary>Options of the <c>ftp</c> source: one FTP listener per camera. The password comes from an environment variable; never log it.</summary>
public sealed record FtpSourceOptions
{
    [Option("host", Description = "IP address to listen on")]
    public string Host { get; init; } = "0.0.0.0";

    public required int Port { get; init; }

    /// <summary>Null when only anonymous logins are allowed.</summary>
    public string? Username { get; init; }

    public string? Password { get; init; }

    [Option("anonymous", Description = "allow logins without a password")]
    public bool Anonymous { get; init; }

    /// <summary>The camera's upload folder; clients see it as "/" and cannot leave it.</summary>
    public required string Root { get; init; }

    /// <summary>Inclusive range for passive data connections; null lets the system pick.</summary>
    public (int First, int Last)? PassivePorts { get; init; }

    /// <summary>The address advertised in PASV replies (e.g. behind NAT); null uses the control connection's local address.</summary>
    public IPAddress? PassiveAddress { get; init; }

    public long MaxFileBytes { get; init; } = 2048L * 1024 * 1024;

    /// <summary>Logged-in sessions at once. Connections that have not logged in yet are limited separately, so they cannot keep the camera out.</summary>
    [Option("max_connections", Min = 1, Max = 1000)]
    public int MaxConnections { get; init; } = 8;

    [Option("idle_timeout_s", Min = 1, Max = 86400)]
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>From connect to a successful login, at most this long; no command before login extends it.</summary>
    [Option("pre_auth_timeout_s", Min = 1, Max = 600)]
    public TimeSpan PreAuthTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Connections not yet logged in from one address; beyond it 421 at connect.</summary>
    [Option("max_pre_auth_connections_per_ip", Min = 1, Max = 1000)]
    public int MaxPreAuthConnectionsPerAddress { get; init; } = 3;

    /// <summary>Connections not yet logged in from all addresses together (bounds sockets and memory).</summary>
    [Option("max_pre_auth_connections", Min = 1, Max = 10000)]
    public int MaxPreAuthConnections { get; init; } = 32;

    /// <summary>Wait after the first failed login of an address; it doubles with each further failure up to <see cref="LoginFailureDelayMax"/>.</summary>
    [Option("login_fail_delay_s", Min = 0, Max = 60)]
    public TimeSpan LoginFailureDelay { get; init; } = TimeSpan.FromSeconds(1);

    [Option("login_fail_delay_max_s", Min = 0, Max = 3600)]
    public TimeSpan LoginFailureDelayMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Failed logins of one address within <see cref="BanWindow"/> that ban it for <see cref="BanDuration"/>; 0 never bans.</summary>
    [Option("ban_after_failures", Min = 0, Max = 1000)]
    public int BanAfterFailures { get; init; } = 5;

    [Option("ban_window_s", Min = 1, Max = 86400 * 7)]
    public TimeSpan BanWindow { get; init; } = TimeSpan.FromMinutes(10);

    [Option("ban_duration_s", Min = 1, Max = 86400 * 7)]
    public TimeSpan BanDuration { get; init; } = TimeSpan.FromMinutes(15);

    [Option("extensions", Description = "file endings taken as clips")]
    public IReadOnlyList<string> Extensions { get; init; } = VideoFiles.DefaultExtensions;

    public required string ManifestPath { get; init; }

    /// <summary>Where uploads are written until they finish; reserved, invisible and unreachable for clients.</summary>
    public string PartialDir => Path.Combine(Root, ".partial");

    /// <summary>Without the password: records print every property, and these options may be logged.</summary>
    public override string ToString() =>
        $"FtpSourceOptions {{ Host = {Host}, Port = {Port}, Username = {Username ?? "(none)"}, Anonymous = {Anonymous}, Root = {Root} }}";

    public static FtpSourceOptions Read(ConfigSection config)
    {
        var options = OptionBinder.Bind<FtpSourceOptions>(config);
        var username = config.String("username", required: !options.Anonymous);
        var password = config.Secret("password_env", required: !options.Anonymous || username is not null);
        var root = Path.GetFullPath(config.String("root", required: true) ?? ".");
        if (!IPAddress.TryParse(options.Host, out _))
        {
            config.Error("host", $"'{options.Host}' is not an IP address; e.g. 0.0.0.0 (all interfaces) or 127.0.0.1");
        }

        var extensions = options.Extensions
            .Select(e => e.StartsWith('.') ? e.ToLowerInvariant() : "." + e.ToLowerInvariant())
            .ToList();
        if (extensions.Count == 0)
        {
            config.Error("extensions", "may not be empty; e.g. [.mp4, .mkv]");
        }

        if (options.LoginFailureDelayMax < options.LoginFailureDelay)
        {
            config.Error("login_fail_delay_max_s", $"{options.LoginFailureDelayMax.TotalSeconds.ToString(CultureInfo.InvariantCulture)} is below login_fail_delay_s ({options.LoginFailureDelay.TotalSeconds.ToString(CultureInfo.InvariantCulture)}); the delay only grows");
        }

        const double bytesPerMb = 1024 * 1024;
        return options with
        {
            Port = config.Has("port") ? config.Int("port", 0, 1, 65535) : RequirePort(config),
            Username = username,
            Password = password,
            Root = root,
            PassivePorts = ReadPortRange(config),
            PassiveAddress = ReadAddress(config, "passive_address"),
            // In MiB in the config; the declared default is in bytes.
            MaxFileBytes = (long)config.Number("max_file_mb", options.MaxFileBytes / bytesPerMb, 0.001, 1024 * 1024) * 1024 * 1024,
            Extensions = extensions,
            ManifestPath = Path.GetFullPath(config.String("manifest_path") ?? Path.Combine(root, ".homesec", "manifest.jsonl")),
        };
    }

    private static int RequirePort(ConfigSection config)
    {
        config.Error("port", "is required (the TCP port cameras upload to, e.g. 2121)");
        return 0;
    }

    private static IPAddress? ReadAddress(ConfigSection config, string key)
    {
        var text = config.String(key);
        if (text is null)
        {
            return null;
        }

        if (IPAddress.TryParse(text, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return address;
        }

        config.Error(key, $"'{text}' is not an IPv4 address; e.g. 192.168.1.10");
        return null;
    }

    private static (int, int)? ReadPortRange(ConfigSection config)
    {
        var text = config.String("passive_ports");
        if (text is null)
        {
            return null;
        }

        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            && first is >= 1 and <= 65535 && last >= first && last <= 65535)
        {
            return (first, last);
        }

        config.Error("passive_ports", $"'{text}' is not allowed; expected a port range like 50000-50100");
        return null;
    }
}
