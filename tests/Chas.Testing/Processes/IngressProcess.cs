using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Chas.Testing.Processes;

/// <summary>
/// A separate `chas ingress` in front of a `chas dev`'s or `chas server`'s API, on a free port of 127.0.0.1, with
/// the server's admin token (read from its token file). Disposing it kills it (or stops it, as its options say).
/// </summary>
public sealed class IngressProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly OutputLog _log;

    private IngressProcess(ChildProcess process, OutputLog log, Uri url)
    {
        _process = process;
        _log = log;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>The process itself: its id (a bench measures its CPU time), waits that fail when it exits.</summary>
    public ChildProcess Process => _process;

    public string Diagnostics() => $"--- chas ingress output ---\n{_log.Tail()}";

    /// <summary>Starts it with <paramref name="extraArgs"/> and waits until `/healthz` answers 200.</summary>
    public static Task<IngressProcess> StartAsync(IControlPlane dev, OutputLog log, bool tls, X509Certificate2? acceptCertificate, params string[] extraArgs) =>
        StartAsync(dev, log, new ChasProcessOptions(), tls, acceptCertificate, extraArgs);

    /// <summary>Like the overload without <paramref name="options"/>, with another executable, environment or stop.</summary>
    public static async Task<IngressProcess> StartAsync(IControlPlane dev, OutputLog log, ChasProcessOptions options, bool tls, X509Certificate2? acceptCertificate, params string[] extraArgs)
    {
        var port = PortRanges.FreeTcpPort();
        string[] args =
        [
            "ingress", "--server", dev.Url.ToString(), "--token-file", Path.Combine(dev.DataDir, "admin-token"),
            "--listen", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), .. extraArgs,
        ];
        var process = ChasProcess.Start(args, dev.CliConfigPath, log, "ingress", options);
        var ingress = new IngressProcess(process, log, new Uri($"{(tls ? "https" : "http")}://127.0.0.1:{port}/"));
        try
        {
            await IngressHealth.WaitAsync(ingress.Url, ingress.Diagnostics, acceptCertificate);
        }
        catch
        {
            await ingress.DisposeAsync();
            throw;
        }
        return ingress;
    }

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();
}

/// <summary>A self-signed certificate for 127.0.0.1 and localhost names, written as PEM certificate and key files.</summary>
public static class SelfSignedCertificate
{
    public static X509Certificate2 Create(string certPath, string keyPath, params string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=chas e2e ingress", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        foreach (var name in dnsNames) names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return certificate;
    }
}
