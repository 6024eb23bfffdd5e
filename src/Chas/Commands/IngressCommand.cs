using System.CommandLine;
using Chas.Cli;
using Chas.Client.Failover;
using Chas.Ingress;
using Microsoft.Extensions.Logging;

namespace Chas.Commands;

/// <summary>`chas ingress`: the YARP ingress and API gateway, fed by the server's watch.</summary>
internal static class IngressCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "The server's URL, e.g. http://10.0.0.1:8080; several of one cluster separated by commas", Required = true };
        var token = new Option<string?>("--token") { Description = "A token that may list and watch (admin token or node token)" };
        var tokenFile = new Option<string?>("--token-file") { Description = "Read the token from this file" };
        var listen = new Option<string>("--listen") { Description = "Address to listen on", DefaultValueFactory = _ => "0.0.0.0" };
        var port = new Option<int>("--port") { Description = "Port traffic arrives on", DefaultValueFactory = _ => 8000 }.AsPort();
        var domain = new Option<string>("--domain") { Description = "Deployments answer at <name>.<namespace>.<domain>", DefaultValueFactory = _ => "localhost" };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate: serve HTTPS (TLS ends here)" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key for --tls-cert" };
        var gateway = new Option<bool>("--gateway") { Description = "Also forward /api/, /openapi/, /docs to the server and /ui/ to its dashboard" };
        var rateLimit = new Option<int>("--rate-limit") { Description = "Requests per minute per client IP (0: off)", DefaultValueFactory = _ => 0 };
        var requestLog = new Option<bool>("--request-log") { Description = "Log one line per request" };
        var caFile = new Option<string?>("--ca-file") { Description = "PEM CA the server's certificate must chain to (<server data dir>/tls/ca.crt)" };
        var cmd = new Command("ingress", "Run the ingress: routes traffic by host and path to ready instances")
            { server, token, tokenFile, listen, port, domain, tlsCert, tlsKey, gateway, rateLimit, requestLog, caFile };
        // `chas ingress deploy`: the same ingress, run by the cluster on its nodes.
        cmd.Subcommands.Add(IngressDeployCommand.Create());
        cmd.SetAction((parse, ct) => CliRunner.RunAsync(async cancel =>
        {
            // Before any socket: this process is only the ingress, whose code never blocks an event-loop thread.
            IngressApp.PreferInlineIo();
            var secret = parse.GetValue(token) ?? (parse.GetValue(tokenFile) is { } f ? (await File.ReadAllTextAsync(f, cancel)).Trim() : null)
                ?? Environment.GetEnvironmentVariable("CHAS_TOKEN")
                ?? throw new CliException("--token or --token-file is required");
            var servers = ServerEndpoints.TryParse(parse.GetValue(server), out var parsed, out var error) ? parsed : throw new CliException($"--server: {error}");
            if (parse.GetValue(tlsCert) is null != parse.GetValue(tlsKey) is null) throw new CliException("--tls-cert and --tls-key go together");
            if (parse.GetValue(rateLimit) < 0) throw new CliException("--rate-limit must not be negative");
            var options = new IngressOptions
            {
                Server = servers.Primary,
                OtherServers = [.. servers.Skip(1)],
                Token = secret,
                CertificateAuthorityPem = parse.GetValue(caFile) is { } ca ? await File.ReadAllTextAsync(ca, cancel) : null,
                ListenAddress = parse.GetValue(listen)!,
                Port = parse.GetValue(port),
                Domain = parse.GetValue(domain)!,
                TlsCertPath = parse.GetValue(tlsCert),
                TlsKeyPath = parse.GetValue(tlsKey),
                Gateway = parse.GetValue(gateway),
                RateLimitPerMinute = parse.GetValue(rateLimit),
                RequestLogging = parse.GetValue(requestLog),
            };
            var app = IngressApp.Build(options, b => HostDefaults.ConfigureLogging(b, LogLevel.Information));
            await app.StartAsync(cancel);
            Console.Out.WriteLine($"chas ingress listening on {string.Join(", ", app.Urls)}; deployments at <name>.<namespace>.{options.Domain}");
            await ServerCommand.WaitForShutdownAsync(cancel);
            await app.StopAsync(CancellationToken.None);
            return 0;
        }, ct));
        return cmd;
    }
}
