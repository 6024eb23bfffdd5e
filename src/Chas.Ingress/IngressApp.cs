using System.Security.Cryptography.X509Certificates;
using Chas.Ingress.Http;
using Chas.Ingress.Metrics;
using Chas.Ingress.Watch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Chas.Ingress;

/// <summary>Builds `chas ingress`: one port in front of every exposed deployment, routed by host and path.</summary>
public static class IngressApp
{
    public static WebApplication Build(IngressOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        if (string.IsNullOrEmpty(options.TlsCertPath) != string.IsNullOrEmpty(options.TlsKeyPath))
            throw new ArgumentException("TLS needs both a certificate (TlsCertPath) and its key (TlsKeyPath)", nameof(options));

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "chas-ingress" });
        var host = options.ListenAddress.Contains(':', StringComparison.Ordinal) ? $"[{options.ListenAddress}]" : options.ListenAddress;
        if (options.UsesTls)
        {
            var certificate = LoadCertificate(options.TlsCertPath!, options.TlsKeyPath!);
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate));
        }
        builder.WebHost.UseUrls($"{(options.UsesTls ? "https" : "http")}://{host}:{options.Port}");
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        builder.Services.AddChasIngress(options);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseChasIngress(options);
        return app;
    }

    /// <summary>The request pipeline: logging, rate limiting, the proxy, the ingress's own endpoints and the 404 fallback.</summary>
    public static WebApplication UseChasIngress(this WebApplication app, IngressOptions options)
    {
        if (options.RequestLogging) app.UseMiddleware<RequestLoggingMiddleware>();
        app.UseRouting();
        if (options.RateLimitPerMinute > 0) app.UseRateLimiter();

        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<NoDestinationsMiddleware>();
            proxy.UseLoadBalancing();
            proxy.UseMiddleware<ProxyMetricsMiddleware>();
            proxy.UsePassiveHealthChecks();
        });

        app.MapGet("/healthz", (ClusterObjects objects) => objects.Synced
                ? Results.Text("ok\n")
                : Results.Text($"waiting for the first list from {options.Server}\n", statusCode: StatusCodes.Status503ServiceUnavailable))
            .DisableRateLimiting();
        app.MapMetrics("/metrics", app.Services.GetRequiredService<IngressMetrics>().Registry).DisableRateLimiting();
        app.MapIngressStats().DisableRateLimiting();
        app.MapUnknownHost(options);
        return app;
    }

    private static X509Certificate2 LoadCertificate(string certPath, string keyPath)
    {
        var certificate = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        // Windows' TLS stack refuses ephemeral (PEM-loaded) keys; a PKCS#12 round trip persists it.
        if (!OperatingSystem.IsWindows()) return certificate;
        using (certificate)
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
