using System.CommandLine;
using Chas.Agent;
using Chas.Cli;
using Chas.Ingress;
using Microsoft.AspNetCore.Builder;
using Chas.Runtime.Docker;
using Chas.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chas.Commands;

/// <summary>
/// `chas dev`: server and one agent in one process on this machine, everything on 127.0.0.1, and a
/// CLI configuration written so that `chas` works right away. With `--ha N`: N servers on a local
/// PostgreSQL (see <see cref="DevPostgres"/>), one of them the leader, and every client given all of them.
/// </summary>
internal static class DevCommand
{
    private const int MaxHaServers = 9;

    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Where state and secrets live", DefaultValueFactory = _ => HostDefaults.DefaultDataDir("dev") };
        var port = new Option<int>("--port") { Description = "API port", DefaultValueFactory = _ => 8080 }.AsPort();
        var ingressPort = new Option<int>("--ingress-port") { Description = "Ingress port: deployments answer at http://<name>.<namespace>.localhost:PORT (0: no ingress)", DefaultValueFactory = _ => 8000 }.AsPort();
        var nodeName = new Option<string?>("--node-name") { Description = "Name of the built-in node (default: the host name)" };
        var portRange = new Option<string>("--port-range") { Description = "Host ports the built-in node may publish on", DefaultValueFactory = _ => "20000-29999" }.AsPortRange();
        var heartbeatTimeout = new Option<string>("--heartbeat-timeout") { Description = "A node silent this long becomes notready", DefaultValueFactory = _ => "6s" };
        var pendingTimeout = new Option<string>("--pending-timeout") { Description = "A task no node can take fails after this long", DefaultValueFactory = _ => "5m" };
        var noConfig = new Option<bool>("--no-config") { Description = "Do not write the CLI configuration" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log debug detail" };
        var tls = new Option<bool>("--tls") { Description = "Serve the API over HTTPS from the server's own CA; the CLI configuration trusts that CA" };
        var ha = new Option<int>("--ha") { Description = "Run this many servers (on --port, --port+1, …) sharing a local PostgreSQL in <data-dir>/postgres; 0: one server on SQLite", DefaultValueFactory = _ => 0 };
        ha.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is var count and (< 0 or 1 or > MaxHaServers))
                result.AddError($"--ha: {count} servers; give 2 to {MaxHaServers} (3 survives the loss of one), or 0 for none");
        });
        var postgresPort = new Option<int>("--postgres-port") { Description = "With --ha: the local PostgreSQL's port on 127.0.0.1 (0: a free one at each start)", DefaultValueFactory = _ => 0 }.AsPort();
        var cmd = new Command("dev", "Run server and agent in one process on this machine (first try, tests)")
            { dataDir, port, ingressPort, nodeName, portRange, heartbeatTimeout, pendingTimeout, noConfig, verbose, tls, ha, postgresPort };
        cmd.SetAction((parse, ct) => CliRunner.RunAsync(async token =>
        {
            var dir = Path.GetFullPath(parse.GetValue(dataDir)!);
            var apiPort = parse.GetValue(port);
            var level = parse.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information;
            var useTls = parse.GetValue(tls);
            var haServers = parse.GetValue(ha);
            // Each server would make its own CA; the clients trust one.
            if (haServers > 0 && useTls) throw new CliException("--tls and --ha do not go together: each server would have a CA of its own");
            if (haServers > 0 && apiPort + haServers - 1 > 65535) throw new CliException($"--port {apiPort}: the servers need {haServers} ports from it");
            await using var postgres = haServers > 0 ? await DevPostgres.StartAsync(dir, parse.GetValue(postgresPort), token) : null;
            var servers = new List<WebApplication>();
            ServerOptions serverOptions = null!;
            foreach (var index in Enumerable.Range(0, Math.Max(1, haServers)))
            {
                serverOptions = new ServerOptions
                {
                    DataDir = postgres is null ? dir : Path.Combine(dir, $"server-{index + 1}"),
                    Store = postgres?.UriFor(DevPostgres.DatabaseName),
                    Urls = [ServerCommand.Url("127.0.0.1", apiPort + index, https: useTls)],
                    TlsMode = useTls ? TlsMode.SelfSigned : TlsMode.None,
                    HeartbeatTimeout = Durations.Parse(parse.GetValue(heartbeatTimeout)!, "--heartbeat-timeout"),
                    PendingTimeout = Durations.Parse(parse.GetValue(pendingTimeout)!, "--pending-timeout"),
                };
                var built = ChasServerApp.Build(serverOptions, b => HostDefaults.ConfigureLogging(b, level));
                servers.Add(built);
                try
                {
                    await built.StartAsync(token);
                }
                catch (IOException ex)
                {
                    throw new CliException($"the API cannot listen on 127.0.0.1:{apiPort + index} ({ex.Message}); is another chas dev running? pick another port with --port");
                }
            }
            var server = servers[0];
            var serverUrls = servers.Select(s => new Uri(s.Urls.First().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/")).ToList();
            var serverUrl = serverUrls[0];
            // The server created its secrets when it was built; use that copy rather than reading the files again.
            var secrets = server.Services.GetRequiredService<ServerSecrets>();
            // With --tls the agent, the ingress and the CLI trust exactly the server's own CA.
            var serverTls = useTls ? server.Services.GetRequiredService<ServerTls>() : null;
            var caPem = serverTls?.CaPem;

            var agent = AgentApp.Build(new AgentOptions
            {
                Server = serverUrl,
                OtherServers = serverUrls[1..],
                Token = secrets.NodeToken,
                CertificateAuthorityPem = caPem,
                NodeName = parse.GetValue(nodeName) ?? HostDefaults.NodeName(),
                Address = "127.0.0.1",
                ApiPort = 0,
                // At least three heartbeats per timeout, so one late heartbeat never makes the node flap.
                HeartbeatInterval = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(2).Ticks, serverOptions.HeartbeatTimeout.Ticks / 3)),
                PortRange = HostDefaults.ParsePortRange(parse.GetValue(portRange)!),
            }, s => s.AddDockerRuntime(), b => HostDefaults.ConfigureLogging(b, level));
            await agent.StartAsync(token);

            WebApplication? ingress = null;
            if (parse.GetValue(ingressPort) is > 0 and var ip)
            {
                // The dev ingress is also the gateway: one port for apps, /api and /docs.
                ingress = IngressApp.Build(new IngressOptions { Server = serverUrl, OtherServers = serverUrls[1..], Token = secrets.AdminToken, CertificateAuthorityPem = caPem, ListenAddress = "127.0.0.1", Port = ip, Gateway = true },
                    b => HostDefaults.ConfigureLogging(b, level));
                try
                {
                    await ingress.StartAsync(token);
                }
                catch (IOException ex)
                {
                    throw new CliException($"the ingress cannot listen on 127.0.0.1:{ip} ({ex.Message}); pick another port with --ingress-port, or 0 for none");
                }
            }

            if (!parse.GetValue(noConfig))
            {
                var configPath = CliConfig.DefaultPath();
                CliConfig.Load(configPath).WithContext("dev", new CliContextEntry { Server = string.Join(',', serverUrls), Token = secrets.AdminToken, CertificateAuthority = caPem }, makeCurrent: true).Save(configPath);
                Console.Out.WriteLine($"CLI configured: {configPath} (context 'dev')");
            }
            Console.Out.WriteLine($"chas dev is up: API {serverUrl}  docs {serverUrl}docs  data {dir}");
            if (postgres is not null)
                Console.Out.WriteLine($"{servers.Count} servers: {string.Join("  ", serverUrls)}; PostgreSQL on 127.0.0.1:{postgres.Port} ({postgres.Directory}); one of them leads (GET /api/v1/leadership)");
            Console.Out.WriteLine($"admin token in {Path.Combine(postgres is null ? dir : Path.Combine(dir, "server-1"), "admin-token")}; try: chas nodes");
            if (serverTls?.Fingerprint is { } fingerprint) Console.Out.WriteLine($"CA fingerprint: {fingerprint} (CA certificate in {Path.Combine(ServerTls.TlsDir(dir), ServerTls.CaCertFileName)})");
            if (ingress is not null) Console.Out.WriteLine($"ingress on {string.Join(", ", ingress.Urls)}: deployments with a port answer at http://<name>.default.localhost:{parse.GetValue(ingressPort)}/");

            await ServerCommand.WaitForShutdownAsync(token);
            if (ingress is not null) await ingress.StopAsync(CancellationToken.None);
            await agent.StopAsync(CancellationToken.None);
            foreach (var running in Enumerable.Reverse(servers))
            {
                await running.StopAsync(CancellationToken.None);
                // Disposing closes the store (its change feed and pool) before the database goes away under it.
                if (postgres is not null) await running.DisposeAsync();
            }
            if (postgres is not null) await postgres.StopAsync(CancellationToken.None);
            return 0;
        }, ct));
        return cmd;
    }
}
