using System.CommandLine;
using Chas.Cli;
using Chas.Server.Api;
using Chas.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chas.Commands;

internal static class ServerCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Where state and secrets live", DefaultValueFactory = _ => "/var/lib/chas/server" };
        var store = new Option<string?>("--store")
        {
            Description = "PostgreSQL for several servers: postgres://user:password@host:5432/db (default: $CHAS_STORE, else SQLite in --data-dir)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CHAS_STORE") is { Length: > 0 } fromEnvironment ? fromEnvironment : null,
        };
        store.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && StoreUrls.Problem(value) is { } problem)
                result.AddError($"--store: {problem}");
        });
        var listen = new Option<string>("--listen") { Description = "Address to listen on", DefaultValueFactory = _ => "0.0.0.0" };
        var port = new Option<int>("--port") { Description = "API port", DefaultValueFactory = _ => 8080 }.AsPort();
        var heartbeatTimeout = new Option<string>("--heartbeat-timeout") { Description = "A node silent this long becomes notready", DefaultValueFactory = _ => "6s" };
        var pendingTimeout = new Option<string>("--pending-timeout") { Description = "A task no node can take fails after this long", DefaultValueFactory = _ => "5m" };
        var tls = new Option<bool>("--tls") { Description = "Serve HTTPS with a certificate from the server's own CA (made at first start in <data-dir>/tls)" };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "Serve HTTPS with this PEM certificate (leaf first, then its chain)" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key for --tls-cert" };
        var tlsSan = new Option<string[]>("--tls-san") { Description = "Extra host name or IP address for the generated certificate (repeatable)" };
        var domain = new Option<string>("--domain") { Description = "Domain the ingresses serve deployments under (<name>.<namespace>.<domain>); users may route only names under their namespace's part", DefaultValueFactory = _ => "localhost" };
        var trustedProxy = new Option<string[]>("--trusted-proxy") { Description = "Address or CIDR of an ingress whose X-Forwarded-For is believed (repeatable; loopback always is)" };
        trustedProxy.Validators.Add(result =>
        {
            foreach (var proxy in result.GetValueOrDefault<string[]>() ?? [])
                if (!ServerOptions.TryParseProxy(proxy, out _))
                    result.AddError($"--trusted-proxy: '{proxy}' is not an IP address or CIDR range");
        });
        var cmd = new Command("server", "Run the control plane: API, state, scheduler and controllers")
            { dataDir, store, listen, port, heartbeatTimeout, pendingTimeout, tls, tlsCert, tlsKey, tlsSan, domain, trustedProxy };
        cmd.SetAction((parse, ct) => CliRunner.RunAsync(async token =>
        {
            var mode = TlsModeFrom(parse.GetValue(tls), parse.GetValue(tlsCert), parse.GetValue(tlsKey), parse.GetValue(tlsSan) ?? []);
            var host = parse.GetValue(listen)!;
            foreach (var file in new[] { parse.GetValue(tlsCert), parse.GetValue(tlsKey) })
                if (file is not null && !File.Exists(file)) throw new CliException($"no such file: {file}");
            var options = new ServerOptions
            {
                DataDir = Path.GetFullPath(parse.GetValue(dataDir)!),
                Store = parse.GetValue(store),
                Urls = [Url(host, parse.GetValue(port), https: mode != TlsMode.None)],
                HeartbeatTimeout = Durations.Parse(parse.GetValue(heartbeatTimeout)!, "--heartbeat-timeout"),
                PendingTimeout = Durations.Parse(parse.GetValue(pendingTimeout)!, "--pending-timeout"),
                TlsMode = mode,
                TlsCertFile = parse.GetValue(tlsCert) is { } cert ? Path.GetFullPath(cert) : null,
                TlsKeyFile = parse.GetValue(tlsKey) is { } key ? Path.GetFullPath(key) : null,
                // A specific listen address is one clients will use: the certificate names it too.
                TlsExtraNames = [.. parse.GetValue(tlsSan) ?? [], .. IsWildcard(host) ? Array.Empty<string>() : [host]],
                TrustedProxies = parse.GetValue(trustedProxy) ?? [],
                Domain = parse.GetValue(domain)!.Trim('.').ToLowerInvariant(),
            };
            var app = ChasServerApp.Build(options, b => HostDefaults.ConfigureLogging(b, LogLevel.Information));
            await app.StartAsync(token);
            Console.Out.WriteLine($"chas server listening on {string.Join(", ", app.Urls)}; store {StoreUrls.Describe(options.Store, options.DatabasePath)}; node join token in {Path.Combine(options.DataDir, "node-token")}");
            if (mode != TlsMode.None && app.Services.GetRequiredService<ServerTls>() is { Fingerprint: { } fingerprint })
                Console.Out.WriteLine($"CA fingerprint: {fingerprint} (CA certificate in {options.TlsCertFile ?? Path.Combine(ServerTls.TlsDir(options.DataDir), ServerTls.CaCertFileName)}, also at {TlsApi.CaPath})");
            await WaitForShutdownAsync(token);
            await app.StopAsync(CancellationToken.None);
            return 0;
        }, ct));
        return cmd;
    }

    public static string Url(string host, int port, bool https = false) =>
        $"{(https ? "https" : "http")}://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}";

    /// <summary>--tls-cert/--tls-key: the given files; --tls: the server's own CA; neither: plain HTTP.</summary>
    public static TlsMode TlsModeFrom(bool selfSigned, string? certFile, string? keyFile, IReadOnlyCollection<string> extraNames)
    {
        if (certFile is null != keyFile is null) throw new CliException("--tls-cert and --tls-key go together");
        if (certFile is not null)
        {
            if (selfSigned) throw new CliException("--tls makes a certificate; --tls-cert and --tls-key give one: use one or the other");
            if (extraNames.Count > 0) throw new CliException("--tls-san names go into the generated certificate (--tls), not into one from --tls-cert");
            return TlsMode.Files;
        }
        if (extraNames.Count > 0 && !selfSigned) throw new CliException("--tls-san needs --tls");
        return selfSigned ? TlsMode.SelfSigned : TlsMode.None;
    }

    private static bool IsWildcard(string host) => host is "0.0.0.0" or "::" or "[::]" or "*" or "+";

    public static async Task WaitForShutdownAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C or SIGTERM: shut down cleanly.
        }
    }
}
