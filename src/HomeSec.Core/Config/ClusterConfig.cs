namespace HomeSec.Core.Config;

/// <summary>
/// <c>cluster</c>: whether this daemon is a node of an Akka.NET cluster (an NVR and GPU boxes) and what it does there.
/// Disabled by default: one process does everything and no remoting port is opened.
/// </summary>
/// <param name="Roles">What this node runs: <c>nvr</c> (cameras, clips, storage, notifiers) and/or <c>inference</c> (the model, for every node).</param>
/// <param name="Hostname">The address the remoting port binds to (0.0.0.0 in a container).</param>
/// <param name="PublicHostname">The address other nodes reach this one at; null: <see cref="Hostname"/>.</param>
/// <param name="SeedNodes">Full addresses (<c>akka.tcp://homesec@host:port</c>, <c>akka.ssl.tcp://…</c> over TLS); empty: this node founds the cluster itself.</param>
/// <param name="LocalFallback">The NVR runs the model itself while no inference node is reachable (when it has the model).</param>
/// <param name="RequestTimeout">A frame sent to an inference node that has not answered by then is sent elsewhere.</param>
/// <param name="Tls">The household certificate every node holds (mutual TLS, pinned); null: plain TCP, allowed on loopback or with <c>allow_plaintext</c>.</param>
public sealed record ClusterConfig(
    bool Enabled,
    IReadOnlyList<string> Roles,
    string Hostname,
    string? PublicHostname,
    int Port,
    IReadOnlyList<string> SeedNodes,
    bool LocalFallback,
    TimeSpan RequestTimeout,
    ClusterTls? Tls = null)
{
    /// <summary>Every node's actor system has this name; seed addresses must use it.</summary>
    public const string SystemName = "homesec";

    public const string NvrRole = "nvr";

    public const string InferenceRole = "inference";

    public const int DefaultPort = 4053;

    /// <summary>
    /// <c>frame_port</c>: where an inference node takes frames (beside remoting, which carries everything else); the NVR
    /// connects to it, so it must be reachable like the remoting port. 0: none (frames go over remoting, slower).
    /// Default: the remoting port + 1.
    /// </summary>
    public int FramePort { get; init; } = DefaultPort + 1;

    /// <summary>
    /// <c>join_timeout_s</c>: a node without the nvr role that is not a member by then exits with code 75, so that its
    /// container or systemd unit starts it afresh (a fresh process also has fresh remoting associations; see README).
    /// <see cref="TimeSpan.Zero"/>: it keeps trying for ever. The NVR never gives up: it keeps filming whatever the cluster does.
    /// </summary>
    public TimeSpan JoinTimeout { get; init; } = DefaultJoinTimeout;

    public static readonly TimeSpan DefaultJoinTimeout = TimeSpan.FromSeconds(60);

    public static IReadOnlyList<string> AllowedRoles { get; } = [NvrRole, InferenceRole];

    public static ClusterConfig Disabled { get; } = new(false, AllowedRoles, "0.0.0.0", null, DefaultPort, [], true, TimeSpan.FromSeconds(10));

    /// <summary>Cameras, clips, storage, repository, notifiers: everywhere outside a cluster, else on nodes with the nvr role.</summary>
    public bool RunsNvr => !Enabled || Roles.Contains(NvrRole, StringComparer.Ordinal);

    /// <summary>The node offers its model to the cluster (others send it frames).</summary>
    public bool OffersInference => Enabled && Roles.Contains(InferenceRole, StringComparer.Ordinal);

    /// <summary>This node's own address as other nodes see it (for a cluster that this node founds).</summary>
    public string SelfAddress => $"{ProtocolFor(Tls is not null)}://{SystemName}@{PublicHostname ?? Hostname}:{Port}";

    /// <summary>Akka.Remote's protocol name: over TLS the addresses say <c>akka.ssl.tcp</c>.</summary>
    public static string ProtocolFor(bool tls) => tls ? "akka.ssl.tcp" : "akka.tcp";
}
