using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HomeSec.Core.Config;

/// <summary>
/// <c>cluster.tls</c>: the household's cluster secret, one PKCS#12 file (certificate and private key) copied to every node.
/// Remoting runs over TLS with both sides presenting it, and a peer is accepted only when it presents exactly this
/// certificate (pinned by its SHA-256 fingerprint): no CA, no host names, nothing else on the LAN can join or send a message.
/// </summary>
/// <param name="CertificatePath">The .pfx / .p12 file (made by <c>homesec cluster certificate create</c> or openssl).</param>
/// <param name="PasswordEnv">The environment variable holding the file's password; null: the file has none.</param>
public sealed record ClusterTls(string CertificatePath, string? PasswordEnv)
{
    /// <summary>
    /// The certificate with its private key, or the reason it cannot be used as a sentence (no file, wrong password,
    /// no private key, expired). The password is read from <paramref name="environment"/> and never leaves this method.
    /// </summary>
    public (X509Certificate2? Certificate, string? Problem) Load(Func<string, string?> environment)
    {
        if (!File.Exists(CertificatePath))
        {
            return (null, $"'{CertificatePath}' does not exist (create it with: homesec cluster certificate create {CertificatePath})");
        }

        var password = PasswordEnv is null ? null : environment(PasswordEnv);
        if (PasswordEnv is not null && password is null)
        {
            return (null, $"environment variable '{PasswordEnv}' (password_env) is not set");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, password, X509KeyStorageFlags.Exportable);
        }
        catch (CryptographicException ex)
        {
            return (null, $"'{CertificatePath}' is not a PKCS#12 file this password opens ({ex.Message.TrimEnd('.')})");
        }
        catch (IOException ex)
        {
            return (null, $"'{CertificatePath}' cannot be read ({ex.Message.TrimEnd('.')})");
        }
        catch (UnauthorizedAccessException)
        {
            return (null, $"'{CertificatePath}' cannot be read by this user");
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            return (null, $"'{CertificatePath}' holds no private key; every node needs the whole PKCS#12 file, not only the certificate");
        }

        if (certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow)
        {
            var expired = certificate.NotAfter.ToUniversalTime();
            certificate.Dispose();
            return (null, $"'{CertificatePath}' expired on {expired:yyyy-MM-dd}; create a new one and copy it to every node");
        }

        return (certificate, null);
    }

    /// <summary>The fingerprint peers are pinned by (hex, upper case): SHA-256 over the whole certificate.</summary>
    public static string Fingerprint(X509Certificate certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>
    /// A new household certificate: self-signed, RSA 3072, valid for 20 years (a home cluster must not stop working on a
    /// date nobody remembers), exported as PKCS#12 with <paramref name="password"/> (null: none).
    /// </summary>
    public static byte[] CreateHouseholdCertificate(string? password, DateTimeOffset now)
    {
        using var key = RSA.Create(3072);
        var request = new CertificateRequest("CN=HomeSec household cluster", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        // Both sides of a connection present it: it is a server and a client certificate at once.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(20));
        return certificate.Export(X509ContentType.Pkcs12, password);
    }
}
