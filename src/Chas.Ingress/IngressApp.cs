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
        // A proxy need not name its software; and a header less to write on every response.
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        // Kestrel follows the sockets: when their completions run on the event-loop threads (see PreferInlineIo),
        // so does the request, with no hop through the thread pool in between.
        if (InlineIo) builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
        builder.Services.AddChasIngress(options);
        configure?.Invoke(builder);
        // Hosting starts an Activity and a log scope for every request whenever this category is enabled at any
        // level (it only logs "Request starting/finished"), and YARP then propagates it to the backend as a
        // traceparent header. Off, together with the metrics' cached series, the ingress used about a tenth less CPU
        // per request (bench/README.md, ingress).
        // Set after `configure` so that a host's own filters cannot turn it back on by accident.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        var app = builder.Build();
        app.UseChasIngress(options);
        return app;
    }

    private const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Whether socket completions run on the event-loop threads in this process (read once by the runtime).</summary>
    public static bool InlineIo => Environment.GetEnvironmentVariable(InlineCompletionsVariable) == "1";

    /// <summary>
    /// For a process that is only an ingress (`chas ingress`), called before its first socket: every socket
    /// completion and the request it continues run on the sockets' event-loop threads (one per core), as in
    /// nginx's workers, instead of being handed to a thread-pool thread at each of the four reads and writes a
    /// proxied request makes. On 2 cores that cut the ingress's CPU per request by about a tenth and raised its
    /// throughput by 12-15 % (bench/README.md, ingress). Code on those threads must never block; the ingress's
    /// does not, but a server or an agent in the same process would, so `chas dev` leaves this off. An
    /// operator's own DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS (0 turns it off) wins.
    /// </summary>
    public static void PreferInlineIo()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null) Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
    }

    /// <summary>The request pipeline: logging, rate limiting, the proxy, the ingress's own endpoints and the 404 fallback.</summary>
    public static WebApplication UseChasIngress(this WebApplication app, IngressOptions options)
    {
        if (options.RequestLogging) app.UseMiddleware<RequestLoggingMiddleware>();
        app.UseConnectRefusal();
        app.UseRouting();
        if (options.RateLimitPerMinute > 0) app.UseRateLimiter();

        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<NoDestinationsMiddleware>();
            proxy.UseLoadBalancing();
            proxy.UseMiddleware<ProxyMetricsMiddleware>();
            proxy.UseMiddleware<GatewayFailoverMiddleware>();
            proxy.UsePassiveHealthChecks();
        });

        app.MapGet("/healthz", (ClusterInformers objects) => objects.Synced
                ? Results.Text("ok\n")
                : Results.Text($"waiting for the first list from {options.AllServers}\n", statusCode: StatusCodes.Status503ServiceUnavailable))
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
