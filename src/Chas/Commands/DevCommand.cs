using System.CommandLine;
using Chas.Agent;
using Chas.Cli;
using Chas.Runtime.Docker;
using Chas.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chas.Commands;

/// <summary>
/// `chas dev`: server and one agent in one process on this machine, everything on 127.0.0.1, and a
/// CLI configuration written so that `chas` works right away.
/// </summary>
internal static class DevCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Where state and secrets live", DefaultValueFactory = _ => HostDefaults.DefaultDataDir("dev") };
        var port = new Option<int>("--port") { Description = "API port", DefaultValueFactory = _ => 8080 };
        var ingressPort = new Option<int>("--ingress-port") { Description = "Ingress port (the ingress arrives in a later release)", DefaultValueFactory = _ => 8000 };
        var nodeName = new Option<string?>("--node-name") { Description = "Name of the built-in node (default: the host name)" };
        var portRange = new Option<string>("--port-range") { Description = "Host ports the built-in node may publish on", DefaultValueFactory = _ => "20000-29999" };
        var heartbeatTimeout = new Option<string>("--heartbeat-timeout") { Description = "A node silent this long becomes notready", DefaultValueFactory = _ => "6s" };
        var pendingTimeout = new Option<string>("--pending-timeout") { Description = "A task no node can take fails after this long", DefaultValueFactory = _ => "5m" };
        var noConfig = new Option<bool>("--no-config") { Description = "Do not write the CLI configuration" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log debug detail" };
        var cmd = new Command("dev", "Run server and agent in one process on this machine (first try, tests)")
            { dataDir, port, ingressPort, nodeName, portRange, heartbeatTimeout, pendingTimeout, noConfig, verbose };
        cmd.SetAction((parse, ct) => CliRunner.RunAsync(async token =>
        {
            var dir = Path.GetFullPath(parse.GetValue(dataDir)!);
            var apiPort = parse.GetValue(port);
            _ = parse.GetValue(ingressPort); // accepted now so scripts keep working when the ingress lands
            var level = parse.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information;
            var serverOptions = new ServerOptions
            {
                DataDir = dir,
                Urls = [ServerCommand.Url("127.0.0.1", apiPort)],
                HeartbeatTimeout = Durations.Parse(parse.GetValue(heartbeatTimeout)!, "--heartbeat-timeout"),
                PendingTimeout = Durations.Parse(parse.GetValue(pendingTimeout)!, "--pending-timeout"),
            };
            var server = ChasServerApp.Build(serverOptions, b => HostDefaults.ConfigureLogging(b, "server", level));
            await server.StartAsync(token);
            var serverUrl = new Uri(server.Urls.First().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/");
            var secrets = ServerSecrets.LoadOrCreate(dir);

            var agent = AgentApp.Build(new AgentOptions
            {
                Server = serverUrl,
                Token = secrets.NodeToken,
                NodeName = parse.GetValue(nodeName) ?? HostDefaults.NodeName(),
                Address = "127.0.0.1",
                ApiPort = 0,
                // At least three heartbeats per timeout, so one late heartbeat never makes the node flap.
                HeartbeatInterval = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(2).Ticks, serverOptions.HeartbeatTimeout.Ticks / 3)),
                PortRange = HostDefaults.ParsePortRange(parse.GetValue(portRange)!),
            }, s => s.AddDockerRuntime(), b => HostDefaults.ConfigureLogging(b, "agent", level));
            await agent.StartAsync(token);

            if (!parse.GetValue(noConfig))
            {
                var configPath = CliConfig.DefaultPath();
                CliConfig.Load(configPath).WithContext("dev", new CliContextEntry { Server = serverUrl.ToString(), Token = secrets.AdminToken }, makeCurrent: true).Save(configPath);
                Console.Out.WriteLine($"CLI configured: {configPath} (context 'dev')");
            }
            Console.Out.WriteLine($"chas dev is up: API {serverUrl}  docs {serverUrl}docs  data {dir}");
            Console.Out.WriteLine($"admin token in {Path.Combine(dir, "admin-token")}; try: chas nodes");

            await ServerCommand.WaitForShutdownAsync(token);
            await agent.StopAsync(CancellationToken.None);
            await server.StopAsync(CancellationToken.None);
            return 0;
        }, ct));
        return cmd;
    }
}
