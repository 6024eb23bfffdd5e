using System.CommandLine;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Chas.Agent;
using Chas.Cli;
using Chas.Client.Failover;
using Chas.Contracts;
using Chas.Runtime.Docker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chas.Commands;

internal static class AgentCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "The server's URL, e.g. http://10.0.0.1:8080; several of one cluster separated by commas", Required = true };
        var token = new Option<string?>("--token") { Description = "The node join token (<server data dir>/node-token)" };
        var tokenFile = new Option<string?>("--token-file") { Description = "Read the join token from this file" };
        var name = new Option<string?>("--name") { Description = "Node name (default: the host name)" };
        var address = new Option<string?>("--address") { Description = "Node address: ports are published and the agent API listens here (default: the first non-loopback IPv4)" };
        var portRange = new Option<string>("--port-range") { Description = "Host ports this node may publish on", DefaultValueFactory = _ => "20000-29999" }.AsPortRange();
        var apiPort = new Option<int>("--api-port") { Description = "Port of the agent's API (0: any free port)", DefaultValueFactory = _ => 7071 }.AsPort();
        var labels = new Option<string[]>("--label", "-l") { Description = "Node label key=value (repeatable)" };
        var heartbeat = new Option<string>("--heartbeat-interval") { Description = "How often to heartbeat", DefaultValueFactory = _ => "2s" };
        var cpu = new Option<string?>("--cpu") { Description = "CPU capacity to offer (default: all cores)" };
        var memory = new Option<string?>("--memory") { Description = "Memory capacity to offer (default: all memory)" };
        var reserveCpu = new Option<string?>("--reserve-cpu") { Description = "CPU kept back for the system (allocatable = capacity - reserve)" };
        var reserveMemory = new Option<string?>("--reserve-memory") { Description = "Memory kept back for the system" };
        var backoffMax = new Option<string>("--restart-backoff-max") { Description = "Cap of the crash-loop back-off", DefaultValueFactory = _ => "5m" };
        var nvidiaSmi = new Option<string>("--nvidia-smi") { Description = "nvidia-smi to ask about GPUs", DefaultValueFactory = _ => "nvidia-smi" };
        var caFile = new Option<string?>("--ca-file") { Description = "PEM CA the server's certificate must chain to (<server data dir>/tls/ca.crt)" };
        var cmd = new Command("agent", "Run a node agent: joins a server and runs the containers it assigns")
            { server, token, tokenFile, name, address, portRange, apiPort, labels, heartbeat, cpu, memory, reserveCpu, reserveMemory, backoffMax, nvidiaSmi, caFile };
        cmd.SetAction((parse, ct) => CliRunner.RunAsync(async cancel =>
        {
            var joinToken = parse.GetValue(token) ?? (parse.GetValue(tokenFile) is { } f ? (await File.ReadAllTextAsync(f, cancel)).Trim() : null)
                ?? Environment.GetEnvironmentVariable("CHAS_NODE_TOKEN")
                ?? throw new CliException("--token or --token-file is required (the server writes it to <data-dir>/node-token)");
            var nodeName = parse.GetValue(name) ?? HostDefaults.NodeName();
            if (!Validate.IsDns1123Label(nodeName)) throw new CliException($"--name: '{nodeName}' is not a valid node name");
            var servers = ServerEndpoints.TryParse(parse.GetValue(server), out var parsed, out var error) ? parsed : throw new CliException($"--server: {error}");
            var options = new AgentOptions
            {
                Server = servers.Primary,
                OtherServers = [.. servers.Skip(1)],
                Token = joinToken,
                CertificateAuthorityPem = parse.GetValue(caFile) is { } ca ? await File.ReadAllTextAsync(ca, cancel) : null,
                NodeName = nodeName,
                Address = parse.GetValue(address) ?? DetectAddress(),
                PortRange = HostDefaults.ParsePortRange(parse.GetValue(portRange)!),
                ApiPort = parse.GetValue(apiPort),
                Labels = HostDefaults.ParseLabels(parse.GetValue(labels) ?? []),
                HeartbeatInterval = Durations.Parse(parse.GetValue(heartbeat)!, "--heartbeat-interval"),
                CpuMillis = parse.GetValue(cpu) is { } c ? (Quantity.TryParseCpuMillis(c, out var m) ? m : throw new CliException($"--cpu: '{c}' is not a CPU amount")) : null,
                MemoryBytes = parse.GetValue(memory) is { } mem ? (Quantity.TryParseMemory(mem, out var b) ? b : throw new CliException($"--memory: '{mem}' is not a memory amount")) : null,
                ReserveCpuMillis = parse.GetValue(reserveCpu) is { } rc ? (Quantity.TryParseCpuMillis(rc, out var rcm) ? rcm : throw new CliException($"--reserve-cpu: '{rc}' is not a CPU amount")) : 0,
                ReserveMemoryBytes = parse.GetValue(reserveMemory) is { } rm ? (Quantity.TryParseMemory(rm, out var rmb) ? rmb : throw new CliException($"--reserve-memory: '{rm}' is not a memory amount")) : 0,
                RestartBackoffMax = Durations.Parse(parse.GetValue(backoffMax)!, "--restart-backoff-max"),
                NvidiaSmi = parse.GetValue(nvidiaSmi)!,
            };
            var app = AgentApp.Build(options, s => s.AddDockerRuntime(), b => HostDefaults.ConfigureLogging(b, LogLevel.Information));
            await app.StartAsync(cancel);
            await ServerCommand.WaitForShutdownAsync(cancel);
            await app.StopAsync(CancellationToken.None);
            return 0;
        }, ct));
        return cmd;
    }

    /// <summary>The first up, non-loopback IPv4 address: what other machines most likely reach this one on.</summary>
    private static string DetectAddress()
    {
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .Where(i => !i.Name.StartsWith("docker", StringComparison.Ordinal) && !i.Name.StartsWith("veth", StringComparison.Ordinal) && !i.Name.StartsWith("br-", StringComparison.Ordinal))
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        return address?.ToString() ?? "127.0.0.1";
    }
}
