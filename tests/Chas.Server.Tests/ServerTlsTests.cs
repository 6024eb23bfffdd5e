using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Chas.Client;
using Chas.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Chas.Server.Tests;

/// <summary>The server's own CA (k3s style), given certificate files, and HTTPS end to end with a pinned CA.</summary>
public sealed class ServerTlsTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "chas-tls-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void The_generated_ca_is_a_ca_and_signs_a_server_certificate_with_the_names()
    {
        using var tls = ServerTls.LoadOrCreate(_dataDir, ["chas.example.test", "10.1.2.3"]);

        var ca = tls.Ca!;
        var constraints = ca.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints.CertificateAuthority);
        var usage = ca.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages;
        Assert.True(usage.HasFlag(X509KeyUsageFlags.KeyCertSign) && usage.HasFlag(X509KeyUsageFlags.CrlSign));
        Assert.InRange(ca.NotAfter - ca.NotBefore, TimeSpan.FromDays(3600), TimeSpan.FromDays(3700));

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(tls.Certificate), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.True(tls.Certificate.HasPrivateKey);

        var san = tls.Certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        var dns = san.EnumerateDnsNames().ToList();
        var ips = san.EnumerateIPAddresses().ToList();
        Assert.Contains("localhost", dns);
        Assert.Contains("chas.example.test", dns);
        Assert.Contains(Dns.GetHostName(), dns, StringComparer.OrdinalIgnoreCase);
        Assert.Contains(IPAddress.Loopback, ips);
        Assert.Contains(IPAddress.IPv6Loopback, ips);
        Assert.Contains(IPAddress.Parse("10.1.2.3"), ips);
        var eku = tls.Certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Contains(eku.EnhancedKeyUsages.Cast<Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");

        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(ca.RawData)), tls.Fingerprint);
        Assert.Equal(tls.Fingerprint, ChasClientTls.Fingerprint(tls.CaPem!));
    }

    [Fact]
    public void Keys_are_private_files_and_certificates_are_pem()
    {
        using var tls = ServerTls.LoadOrCreate(_dataDir, []);
        var dir = ServerTls.TlsDir(_dataDir);

        foreach (var key in new[] { ServerTls.CaKeyFileName, ServerTls.ServerKeyFileName })
        {
            var path = Path.Combine(dir, key);
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path), StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        Assert.Equal(tls.CaPem!.Trim(), File.ReadAllText(Path.Combine(dir, ServerTls.CaCertFileName)).Trim());
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(Path.Combine(dir, ServerTls.ServerCertFileName)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_start_keeps_the_ca_and_a_new_name_only_renews_the_server_certificate()
    {
        string fingerprint, serverThumbprint;
        using (var first = ServerTls.LoadOrCreate(_dataDir, []))
        {
            fingerprint = first.Fingerprint!;
            serverThumbprint = first.Certificate.Thumbprint;
        }

        using (var again = ServerTls.LoadOrCreate(_dataDir, []))
        {
            Assert.Equal(fingerprint, again.Fingerprint);
            Assert.Equal(serverThumbprint, again.Certificate.Thumbprint);
        }

        using var renamed = ServerTls.LoadOrCreate(_dataDir, ["new.example.test"]);
        Assert.Equal(fingerprint, renamed.Fingerprint);
        Assert.NotEqual(serverThumbprint, renamed.Certificate.Thumbprint);
        Assert.Contains("new.example.test", renamed.Certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
    }

    [Fact]
    public void A_server_certificate_near_its_end_is_renewed_under_the_same_ca()
    {
        string fingerprint, serverThumbprint;
        using (var first = ServerTls.LoadOrCreate(_dataDir, []))
        {
            fingerprint = first.Fingerprint!;
            serverThumbprint = first.Certificate.Thumbprint;
        }

        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(340)); // 25 days before the one-year certificate ends
        using var renewed = ServerTls.LoadOrCreate(_dataDir, [], later);

        Assert.Equal(fingerprint, renewed.Fingerprint);
        Assert.NotEqual(serverThumbprint, renewed.Certificate.Thumbprint);
        Assert.True(renewed.Certificate.NotAfter.ToUniversalTime() > later.GetUtcNow().UtcDateTime.AddDays(300));
    }

    [Fact]
    public void Given_files_are_served_and_a_ca_in_the_chain_is_exposed()
    {
        using var generated = ServerTls.LoadOrCreate(_dataDir, []);
        var dir = ServerTls.TlsDir(_dataDir);
        var leafOnly = Path.Combine(dir, ServerTls.ServerCertFileName);
        var key = Path.Combine(dir, ServerTls.ServerKeyFileName);
        var withChain = Path.Combine(_dataDir, "fullchain.crt");
        File.WriteAllText(withChain, File.ReadAllText(leafOnly) + generated.CaPem);

        using var plain = ServerTls.LoadFiles(leafOnly, key);
        Assert.Equal(generated.Certificate.Thumbprint, plain.Certificate.Thumbprint);
        Assert.True(plain.Certificate.HasPrivateKey);
        Assert.Null(plain.CaPem);
        Assert.Null(plain.Fingerprint);

        using var chained = ServerTls.LoadFiles(withChain, key);
        Assert.Equal(generated.Certificate.Thumbprint, chained.Certificate.Thumbprint);
        Assert.Equal(generated.Fingerprint, chained.Fingerprint);
        Assert.Single(chained.Chain);
    }

    [Fact]
    public async Task Https_round_trip_trusts_exactly_the_servers_ca()
    {
        await using var app = await StartHttpsAsync();
        var url = new Uri(app.Urls.First() + "/");
        Assert.Equal("https", url.Scheme);
        var tls = ServerTls.LoadOrCreate(_dataDir, []); // the files the server made: same CA
        using (tls)
        {
            using (var trusting = new HttpClient(ChasClientTls.HandlerFor(tls.CaPem)!) { BaseAddress = url })
            {
                Assert.Equal("ok", await trusting.GetStringAsync("healthz"));
                using var ca = await trusting.GetAsync("api/v1/tls/ca");
                Assert.Equal(HttpStatusCode.OK, ca.StatusCode);
                Assert.Equal("application/x-pem-file", ca.Content.Headers.ContentType?.MediaType);
                Assert.Equal(tls.Fingerprint, ChasClientTls.Fingerprint(await ca.Content.ReadAsStringAsync()));
            }

            using var otherCa = ServerTls.LoadOrCreate(Path.Combine(_dataDir, "other"), []);
            Assert.NotEqual(tls.Fingerprint, otherCa.Fingerprint);
            using (var distrusting = new HttpClient(ChasClientTls.HandlerFor(otherCa.CaPem)!) { BaseAddress = url })
                await Assert.ThrowsAsync<HttpRequestException>(() => distrusting.GetStringAsync("healthz"));

            // The system roots do not know the server's CA either.
            using (var system = new HttpClient { BaseAddress = url })
                await Assert.ThrowsAsync<HttpRequestException>(() => system.GetStringAsync("healthz"));

            var fetched = await ChasClientTls.FetchCaAsync(url, tls.Fingerprint!, CancellationToken.None);
            Assert.Equal(tls.Fingerprint, ChasClientTls.Fingerprint(fetched));
            var upperCaseHex = "sha256:" + tls.Fingerprint!["sha256:".Length..].ToUpperInvariant();
            Assert.Equal(fetched, await ChasClientTls.FetchCaAsync(url, upperCaseHex, CancellationToken.None));

            var wrong = await Assert.ThrowsAsync<AuthenticationException>(() => ChasClientTls.FetchCaAsync(url, otherCa.Fingerprint!, CancellationToken.None));
            Assert.Contains(otherCa.Fingerprint!, wrong.Message, StringComparison.Ordinal);

            // A ChasClient on the handler works end to end (what the CLI, agent and ingress do).
            using var client = new ChasClient(url, ServerSecrets.LoadOrCreate(_dataDir).AdminToken, ChasClientTls.HandlerFor(fetched));
            Assert.Empty((await client.ListNodesAsync()).Items);
        }
    }

    [Fact]
    public async Task Without_tls_the_ca_endpoint_is_a_404_problem()
    {
        await using var server = await TestServer.StartAsync();

        using var response = await server.Http.GetAsync("api/v1/tls/ca");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void Handler_for_no_ca_is_null()
    {
        Assert.Null(ChasClientTls.HandlerFor(null));
        Assert.Equal("sha256:abcd", ChasClientTls.NormalizeFingerprint(" AB:CD "));
    }

    private async Task<WebApplication> StartHttpsAsync()
    {
        var app = ChasServerApp.Build(new ServerOptions
        {
            DataDir = _dataDir,
            Urls = ["https://127.0.0.1:0"],
            TlsMode = TlsMode.SelfSigned,
        }, b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        return app;
    }
}
