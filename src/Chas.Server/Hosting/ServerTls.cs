using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Chas.Server.Hosting;

/// <summary>
/// The certificate the API serves over HTTPS. In <see cref="TlsMode.SelfSigned"/> mode the server keeps
/// a CA of its own in `&lt;data-dir&gt;/tls` (made at first start, kept for good, as k3s does) and a server
/// certificate signed by it that is renewed when it nears expiry or lacks a name asked for. Clients
/// pin the CA by its <see cref="Fingerprint"/>. Keys are PEM files with mode 0600.
/// </summary>
public sealed class ServerTls : IDisposable
{
    public const string CaCertFileName = "ca.crt";
    public const string CaKeyFileName = "ca.key";
    public const string ServerCertFileName = "server.crt";
    public const string ServerKeyFileName = "server.key";

    private static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    private static readonly TimeSpan ServerLifetime = TimeSpan.FromDays(365);
    /// <summary>A server certificate this close to its end is replaced at start.</summary>
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);
    /// <summary>Certificates start a little in the past, so a client whose clock lags still accepts them.</summary>
    private static readonly TimeSpan Backdate = TimeSpan.FromHours(1);
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    private ServerTls(X509Certificate2 certificate, X509Certificate2Collection chain, X509Certificate2? ca)
    {
        Certificate = certificate;
        Chain = chain;
        Ca = ca;
        CaPem = ca?.ExportCertificatePem();
        Fingerprint = ca is null ? null : FingerprintOf(ca);
    }

    /// <summary>The certificate (with its private key) Kestrel serves.</summary>
    public X509Certificate2 Certificate { get; }
    /// <summary>Certificates sent after <see cref="Certificate"/> (intermediates; may be empty).</summary>
    public X509Certificate2Collection Chain { get; }
    /// <summary>The CA clients trust; null when given files carry no CA.</summary>
    public X509Certificate2? Ca { get; }
    public string? CaPem { get; }
    /// <summary>"sha256:" + lowercase hex of SHA-256 over the CA certificate's DER bytes.</summary>
    public string? Fingerprint { get; }

    public static string TlsDir(string dataDir) => Path.Combine(dataDir, "tls");

    public static string FingerprintOf(X509Certificate2 ca) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(ca.RawData));

    /// <summary>The TLS material the options ask for; throws when TLS is off.</summary>
    public static ServerTls Load(ServerOptions options, TimeProvider time) => options.TlsMode switch
    {
        TlsMode.SelfSigned => LoadOrCreate(options.DataDir, options.TlsExtraNames, time),
        TlsMode.Files => LoadFiles(
            options.TlsCertFile ?? throw new InvalidOperationException("TLS from files needs a certificate file"),
            options.TlsKeyFile ?? throw new InvalidOperationException("TLS from files needs a key file")),
        _ => throw new InvalidOperationException("TLS is off"),
    };

    /// <summary>Reuses the CA and server certificate in `&lt;data-dir&gt;/tls`, creating what is missing or no longer fit.</summary>
    public static ServerTls LoadOrCreate(string dataDir, IEnumerable<string> extraNames, TimeProvider? time = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var dir = TlsDir(dataDir);
        Directory.CreateDirectory(dir);
        var caCert = Path.Combine(dir, CaCertFileName);
        var caKey = Path.Combine(dir, CaKeyFileName);
        var serverCert = Path.Combine(dir, ServerCertFileName);
        var serverKey = Path.Combine(dir, ServerKeyFileName);

        var ca = TryLoadPair(caCert, caKey);
        if (ca is null || ca.NotAfter.ToUniversalTime() <= now.UtcDateTime)
        {
            ca?.Dispose();
            ca = CreateCa(now);
            WritePair(ca, caCert, caKey);
        }

        var names = SubjectNames(extraNames);
        var server = TryLoadPair(serverCert, serverKey);
        if (server is null || !StillFit(server, ca, names, now))
        {
            server?.Dispose();
            server = CreateServerCertificate(ca, names, now);
            WritePair(server, serverCert, serverKey);
        }

        // Only the public part of the CA stays in memory; its key is needed again only to sign a new server certificate.
        var publicCa = X509CertificateLoader.LoadCertificate(ca.RawData);
        ca.Dispose();
        return new ServerTls(Servable(server), [], publicCa);
    }

    /// <summary>
    /// A certificate and key from PEM files. Certificates after the first in the certificate file are
    /// its chain; a self-signed CA among them becomes <see cref="Ca"/>.
    /// </summary>
    public static ServerTls LoadFiles(string certFile, string keyFile)
    {
        var certificate = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(certFile);
        var chain = new X509Certificate2Collection();
        foreach (var extra in all.Skip(1)) chain.Add(extra);
        var ca = chain.LastOrDefault(c => IsCa(c) && c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData));
        return new ServerTls(Servable(certificate), chain, ca);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        Ca?.Dispose();
        foreach (var c in Chain) c.Dispose();
    }

    /// <summary>localhost, the loopback addresses, this machine's host name, and what the options add.</summary>
    private static (SortedSet<string> Dns, SortedSet<string> Ips) SubjectNames(IEnumerable<string> extraNames)
    {
        var dns = new SortedSet<string>(StringComparer.OrdinalIgnoreCase) { "localhost" };
        var ips = new SortedSet<string>(StringComparer.Ordinal) { IPAddress.Loopback.ToString(), IPAddress.IPv6Loopback.ToString() };
        var host = Dns.GetHostName();
        if (!string.IsNullOrWhiteSpace(host)) dns.Add(host);
        foreach (var raw in extraNames)
        {
            var name = raw.Trim().Trim('[', ']');
            if (name.Length == 0) continue;
            if (IPAddress.TryParse(name, out var ip)) ips.Add(ip.ToString());
            else dns.Add(name.ToLowerInvariant());
        }
        return (dns, ips);
    }

    private static bool StillFit(X509Certificate2 server, X509Certificate2 ca, (SortedSet<string> Dns, SortedSet<string> Ips) names, DateTimeOffset now)
    {
        if (server.NotAfter.ToUniversalTime() - now.UtcDateTime < RenewBefore) return false;
        var san = server.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null) return false;
        var dns = san.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ips = san.EnumerateIPAddresses().Select(a => a.ToString()).ToHashSet(StringComparer.Ordinal);
        if (!names.Dns.IsSubsetOf(dns) || !names.Ips.IsSubsetOf(ips)) return false;

        // Signed by the CA we have now (the CA may have been replaced since).
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        return chain.Build(server);
    }

    private static X509Certificate2 CreateCa(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=chas-server-ca@{now.ToUnixTimeSeconds()}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(now - Backdate, now + CaLifetime);
    }

    private static X509Certificate2 CreateServerCertificate(X509Certificate2 ca, (SortedSet<string> Dns, SortedSet<string> Ips) names, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=chas-server", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthOid)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var dns in names.Dns) san.AddDnsName(dns);
        foreach (var ip in names.Ips) san.AddIpAddress(IPAddress.Parse(ip));
        request.CertificateExtensions.Add(san.Build());

        var notAfter = now + ServerLifetime;
        if (notAfter > ca.NotAfter.ToUniversalTime()) notAfter = ca.NotAfter.ToUniversalTime();
        using var signed = request.Create(ca, now - Backdate, notAfter, SerialNumber());
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>A positive random 128-bit serial, as RFC 5280 asks (unique per issuer, at most 20 bytes).</summary>
    private static byte[] SerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        return serial;
    }

    private static X509Certificate2? TryLoadPair(string certPath, string keyPath)
    {
        if (!File.Exists(certPath) || !File.Exists(keyPath)) return null;
        try
        {
            return X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or AsnContentException)
        {
            return null; // damaged or mismatched: made again
        }
    }

    /// <summary>The key first (0600), then the certificate: a certificate on disk always has its key.</summary>
    private static void WritePair(X509Certificate2 certificate, string certPath, string keyPath)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("the certificate has no EC private key");
        ServerSecrets.WritePrivate(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        var temp = certPath + ".tmp";
        File.WriteAllText(temp, certificate.ExportCertificatePem() + "\n");
        File.Move(temp, certPath, overwrite: true);
    }

    private static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);

    /// <summary>Windows' TLS stack cannot use the ephemeral key a PEM import gives; a PKCS#12 round trip fixes that.</summary>
    private static X509Certificate2 Servable(X509Certificate2 certificate)
    {
        if (!OperatingSystem.IsWindows()) return certificate;
        using (certificate)
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
