using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using HomeSec.Core.Config;

namespace HomeSec.Actors.Inference.Frames;

/// <summary>
/// The frame port's TLS: the same household certificate and the same pin as remoting (each side presents it, each side
/// accepts only that very certificate), so the frame port lets in exactly the nodes the cluster lets in.
/// </summary>
public static class FrameTls
{
    /// <summary>The host name the client asks for; the certificate is pinned by fingerprint, never matched by name.</summary>
    private const string TargetHost = "homesec-frames";

    public static SslServerAuthenticationOptions Server(X509Certificate2 household, Action<string> refused) => new()
    {
        ServerCertificateContext = SslStreamCertificateContext.Create(household, null, offline: true),
        ClientCertificateRequired = true,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = Pinned(ClusterTls.Fingerprint(household), refused),
    };

    public static SslClientAuthenticationOptions Client(X509Certificate2 household, Action<string> refused) => new()
    {
        TargetHost = TargetHost,
        ClientCertificateContext = SslStreamCertificateContext.Create(household, null, offline: true),
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = Pinned(ClusterTls.Fingerprint(household), refused),
    };

    private static RemoteCertificateValidationCallback Pinned(string fingerprint, Action<string> refused) => (_, certificate, _, _) =>
    {
        if (certificate is not null && string.Equals(ClusterTls.Fingerprint(certificate), fingerprint, StringComparison.Ordinal))
        {
            return true;
        }

        refused(certificate is null ? "no certificate" : $"certificate {ClusterTls.Fingerprint(certificate)} ({certificate.Subject})");
        return false;
    };
}
