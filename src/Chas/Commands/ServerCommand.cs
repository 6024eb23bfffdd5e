using System.CommandLine;
using Chas.Cli;
using Chas.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace Chas.Commands;

internal static class ServerCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Where state and secrets live", DefaultValueFactory = _ => "/var/lib/chas/server" };
        var listen = new Option<string>("--listen") { Description = "Address to listen on", DefaultValueFactory = _ => "0.0.0.0" };
        var port = new Option<int>("--port") { Description = "API port", DefaultValueFactory = _ => 8080 };
        var heartbeatTimeout = new Option<string>("--heartbeat-timeout") { Description = "A node silent this long becomes notready", DefaultValueFactory = _ => "6s" };
        var pendingTimeout = new Option<string>("--pending-timeout") { Description = "A task no node can take fails after this long", DefaultValueFactory = _ => "5m" };
        var cmd = new Command("server", "Run the control plane: API, state, scheduler and controllers") { dataDir, listen, port, heartbeatTimeout, pendingTimeout };
        cmd.SetAction((parse, ct) => CliRunner.RunAsync(async token =>
        {
            var options = new ServerOptions
            {
                DataDir = Path.GetFullPath(parse.GetValue(dataDir)!),
                Urls = [Url(parse.GetValue(listen)!, parse.GetValue(port))],
                HeartbeatTimeout = Durations.Parse(parse.GetValue(heartbeatTimeout)!, "--heartbeat-timeout"),
                PendingTimeout = Durations.Parse(parse.GetValue(pendingTimeout)!, "--pending-timeout"),
            };
            var app = ChasServerApp.Build(options, b => HostDefaults.ConfigureLogging(b, LogLevel.Information));
            await app.StartAsync(token);
            Console.Out.WriteLine($"chas server listening on {string.Join(", ", app.Urls)}; node join token in {Path.Combine(options.DataDir, "node-token")}");
            await WaitForShutdownAsync(token);
            await app.StopAsync(CancellationToken.None);
            return 0;
        }, ct));
        return cmd;
    }

    public static string Url(string host, int port) => $"http://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}";

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
