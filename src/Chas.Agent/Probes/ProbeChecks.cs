using System.Net.Sockets;
using Chas.Contracts;
using Chas.Runtime;

namespace Chas.Agent.Probes;

/// <summary>
/// One probe attempt. http and tcp go to the container's published port on the node's address —
/// the same path the ingress takes — so a probe passes exactly when traffic could reach the container.
/// </summary>
internal static class ProbeChecks
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1), AllowAutoRedirect = false })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public static async Task<bool> RunAsync(ProbeSpec probe, TaskResource task, string containerId, IContainerRuntime runtime, string nodeAddress, TimeProvider time, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(probe.TimeoutSeconds);
        using var expiry = new CancellationTokenSource(timeout, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct, expiry.Token);
        try
        {
            switch (probe.Type)
            {
                case ProbeType.Exec:
                    var result = await runtime.ExecAsync(containerId, probe.Command ?? [], timeout, ct);
                    return !result.TimedOut && result.ExitCode == 0;
                case ProbeType.Tcp:
                {
                    var (host, port) = Target(probe, task, nodeAddress);
                    using var client = new TcpClient();
                    await client.ConnectAsync(host, port, deadline.Token);
                    return true;
                }
                default:
                {
                    var (host, port) = Target(probe, task, nodeAddress);
                    var url = $"http://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}{probe.Path ?? "/"}";
                    using var response = await Http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                    var code = (int)response.StatusCode;
                    return code is >= 200 and < 400;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or SocketException or RuntimeException or IOException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private static (string Host, int Port) Target(ProbeSpec probe, TaskResource task, string nodeAddress)
    {
        var published = task.PublishedPorts.FirstOrDefault(p => p.ContainerPort == probe.Port)
            ?? throw new RuntimeException($"probe port {probe.Port} is not published");
        var host = string.IsNullOrEmpty(published.HostIp) || published.HostIp == "0.0.0.0" ? nodeAddress : published.HostIp;
        return (host, published.HostPort);
    }
}
