using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Chas.Ingress.Tests.Infrastructure;

namespace Chas.Ingress.Tests;

public sealed class TlsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chas-ingress-tls-").FullName;

    [Fact]
    public async Task Https_is_terminated_with_a_pem_certificate_and_reaches_the_backend()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=chas ingress test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("*.default.localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        var certPath = Path.Combine(_dir, "tls.crt");
        var keyPath = Path.Combine(_dir, "tls.key");
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());

        X509Certificate? presented = null;
        var handler = new SocketsHttpHandler { UseProxy = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
        {
            presented = cert;
            return cert is not null && cert.GetCertHashString() == certificate.GetCertHashString();
        };
        await using var h = await IngressHarness.StartAsync(o => o with { TlsCertPath = certPath, TlsKeyPath = keyPath }, handler);
        Assert.Equal("https", h.Url.Scheme);
        await h.AddBackendsAsync("web", 1);
        await h.DeployAsync("web", "web", 1);
        await h.WaitForDestinationsAsync("web.default.localhost", 1);

        Assert.Equal((HttpStatusCode.OK, "web-1"), await h.GetAsync("web.default.localhost"));
        Assert.NotNull(presented);
    }

    [Fact]
    public void A_certificate_without_its_key_is_refused()
    {
        var options = new IngressOptions { Server = new Uri("http://127.0.0.1:1/"), Token = "t", TlsCertPath = "/tmp/only-a-cert.pem" };
        Assert.Throws<ArgumentException>(() => IngressApp.Build(options));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
