using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Chas.Client;

/// <summary>
/// Trust for a server that serves a certificate from a CA of its own (k3s style): handlers that accept
/// exactly that CA, and a first fetch of the CA made safe by checking its fingerprint.
/// </summary>
public static class ChasClientTls
{
    public const string CaPath = "api/v1/tls/ca";
    private const string FingerprintPrefix = "sha256:";

    /// <summary>A handler trusting <paramref name="caPem"/>, or null (the default handler, system roots) when none is given.</summary>
    public static HttpMessageHandler? HandlerFor(string? caPem) =>
        string.IsNullOrWhiteSpace(caPem) ? null : TrustingCa(caPem);

    /// <summary>A handler that accepts a server certificate only if it chains to a CA in <paramref name="caPem"/> and names the host.</summary>
    public static SocketsHttpHandler TrustingCa(string caPem)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = ValidatorFor(caPem);
        return handler;
    }

    /// <summary>
    /// The validation that <see cref="TrustingCa"/> uses. With <paramref name="alsoSystemTrust"/> a
    /// certificate the system already trusts passes too (a proxy that also talks to other servers).
    /// </summary>
    public static RemoteCertificateValidationCallback ValidatorFor(string caPem, bool alsoSystemTrust = false)
    {
        var roots = ParseCertificates(caPem);
        return (_, certificate, presented, errors) =>
        {
            if (certificate is null) return false;
            if (alsoSystemTrust && errors == SslPolicyErrors.None) return true;
            // The name is checked by the TLS stack independently of trust; a mismatch is never accepted.
            if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0) return false;
            return ChainsTo(certificate, presented, roots);
        };
    }

    /// <summary>"sha256:" + lowercase hex of SHA-256 over the DER bytes of the first certificate in <paramref name="caPem"/>.</summary>
    public static string Fingerprint(string caPem)
    {
        var certificates = ParseCertificates(caPem);
        try
        {
            return Fingerprint(certificates[0]);
        }
        finally
        {
            foreach (var c in certificates) c.Dispose();
        }
    }

    public static string Fingerprint(X509Certificate2 ca) => FingerprintPrefix + Convert.ToHexStringLower(SHA256.HashData(ca.RawData));

    /// <summary>
    /// Downloads the server's CA without checking the server certificate (there is nothing to check it
    /// against yet) and accepts it only if its fingerprint is <paramref name="expectedFingerprint"/>,
    /// which came out of band (`chas dev` or `chas server` printed it). A man in the middle cannot
    /// forge a CA with that fingerprint, and everything after this trusts only that CA.
    /// </summary>
    public static async Task<string> FetchCaAsync(Uri server, string expectedFingerprint, CancellationToken ct = default)
    {
        var expected = NormalizeFingerprint(expectedFingerprint);
        using var handler = new SocketsHttpHandler();
        // Safe only because of the fingerprint check below: nothing but the CA is read over this connection.
#pragma warning disable CA5359
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync(new Uri(server, CaPath), ct);
        if (!response.IsSuccessStatusCode)
            throw new AuthenticationException($"{server} did not hand out its CA ({(int)response.StatusCode} {response.ReasonPhrase}); is TLS with its own CA on?");
        var pem = await response.Content.ReadAsStringAsync(ct);

        string actual;
        try
        {
            actual = Fingerprint(pem);
        }
        catch (CryptographicException ex)
        {
            throw new AuthenticationException($"{server} answered {CaPath} with something that is not a PEM certificate ({ex.Message})", ex);
        }
        if (!string.Equals(actual, expected, StringComparison.Ordinal))
            throw new AuthenticationException($"the CA of {server} has fingerprint {actual}, but {expected} was expected; refusing to trust it (wrong server, or someone in between)");
        return pem;
    }

    /// <summary>Accepts "sha256:ab12…", plain hex, and colon-separated hex in any case.</summary>
    public static string NormalizeFingerprint(string fingerprint)
    {
        var hex = fingerprint.Trim();
        if (hex.StartsWith(FingerprintPrefix, StringComparison.OrdinalIgnoreCase)) hex = hex[FingerprintPrefix.Length..];
        return FingerprintPrefix + hex.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
    }

    private static X509Certificate2Collection ParseCertificates(string pem)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(pem);
        if (certificates.Count == 0) throw new CryptographicException("no certificate in the PEM text");
        return certificates;
    }

    private static bool ChainsTo(X509Certificate certificate, X509Chain? presented, X509Certificate2Collection roots)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // Intermediates the server sent along.
        if (presented is not null)
            foreach (var element in presented.ChainElements)
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        return chain.Build(leaf);
    }
}
