using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;
using HomeSec.Core.Config;

namespace HomeSec.Actors.Hosting;

/// <summary>Makes the actor system a cluster node (<c>cluster.enabled</c>): remoting, membership, roles and split-brain resolution.</summary>
public static class HomeSecClusterExtensions
{
    /// <summary>Room for a 640×640 RGB24 frame (1.2 MB) and its envelope several times over; the socket buffers match it.</summary>
    public const int MaxFrameBytes = 4 * 1024 * 1024;

    /// <summary>The settings of <c>hocon/cluster.conf</c>.</summary>
    public static Config ClusterHocon() => ConfigurationFactory.ParseString(File.ReadAllText(HomeSecAkkaExtensions.HoconPath("cluster.conf")));

    /// <summary>
    /// Nothing at all without <c>cluster.enabled</c> (no remoting port is opened). Otherwise remoting on
    /// <c>hostname:port</c> (advertised as <c>public_hostname</c>), the node's roles, its seeds (none: it founds the
    /// cluster by joining itself), and the split-brain resolver: <b>static-quorum of 1 on role nvr</b>. The side of a
    /// partition that holds the NVR is the one that survives, however many GPU boxes are on the other side, so a GPU box
    /// vanishing can never down the NVR (keep-majority would, in a two-node cluster, down the side with the lower address
    /// half the time; keep-oldest keeps whichever node started first, which after a restart of the NVR is the GPU box).
    /// A cut-off GPU box downs itself, exits and is restarted by its supervisor to join again. A household has one NVR;
    /// two NVRs in one cluster would each keep their side, which is why quorum 1 is only right for that shape.
    /// </summary>
    public static AkkaConfigurationBuilder AddHomeSecCluster(this AkkaConfigurationBuilder builder, ClusterConfig cluster)
    {
        if (!cluster.Enabled)
        {
            return builder;
        }

        var remoting = new RemoteOptions
        {
            HostName = cluster.Hostname,
            PublicHostName = cluster.PublicHostname,
            Port = cluster.Port,
            MaxFrameSize = MaxFrameBytes,
            SendBufferSize = MaxFrameBytes,
            ReceiveBufferSize = MaxFrameBytes,
        };
        if (cluster.Tls is { } tls)
        {
            remoting.EnableSsl = true;
            remoting.Ssl = HouseholdTls(tls);
        }

        builder
            .AddHocon(ClusterHocon(), HoconAddMode.Prepend)
            .WithRemoting(remoting)
            .WithClustering(new ClusterOptions
            {
                Roles = cluster.Roles.ToArray(),
                SeedNodes = cluster.SeedNodes.ToArray(),
                SplitBrainResolver = new StaticQuorumOption { QuorumSize = 1, Role = ClusterConfig.NvrRole },
            });
        builder.WithActors((system, _) => system.ActorOf(Membership.MemberUpWatcher.Props(TimeProvider.System), "cluster-members"));
        if (cluster.SeedNodes.Count == 0)
        {
            // The founding node (the NVR) needs no address in its own config: it joins itself, whatever it binds to.
            builder.WithActors((system, _) => Cluster.Get(system).Join(Cluster.Get(system).SelfAddress));
        }

        return builder;
    }

    /// <summary>
    /// Mutual TLS with the household certificate: each side presents it, and each side accepts the other only when the
    /// certificate it presents is the very same one (SHA-256 fingerprint). The chain and host name are not what is
    /// checked (the certificate is self-signed and nodes are reached by IP as often as by name); the pin is stricter
    /// than either. A refused peer is logged with its address and the fingerprint it showed.
    /// </summary>
    private static SslOptions HouseholdTls(ClusterTls tls)
    {
        var (certificate, problem) = tls.Load(Environment.GetEnvironmentVariable);
        if (certificate is null)
        {
            throw new InvalidOperationException($"cluster.tls.certificate_path: {problem}");
        }

        return new SslOptions
        {
            X509Certificate = certificate,
            SuppressValidation = false,
            RequireMutualAuthentication = true,
            ValidateCertificateHostname = false,
            CustomValidator = HouseholdValidator(ClusterTls.Fingerprint(certificate)),
        };
    }

    /// <summary>Accepts a peer only when it presents the certificate with this fingerprint; logs every refusal with the peer's address.</summary>
    public static CertificateValidationCallback HouseholdValidator(string householdFingerprint) => (peer, _, remotePeer, _, log) =>
    {
        if (peer is not null && string.Equals(ClusterTls.Fingerprint(peer), householdFingerprint, StringComparison.Ordinal))
        {
            return true;
        }

        log?.Warning("Refused a cluster connection from {0}: it presented {1}, not the household certificate (cluster.tls.certificate_path)",
            remotePeer, peer is null ? "no certificate" : $"certificate {ClusterTls.Fingerprint(peer)} ({peer.Subject})");
        return false;
    };
}
