using Chas.Client;
using Chas.Contracts;

namespace Chas.Bench.Faults;

/// <summary>
/// One hollow node (no engine, nothing runs): joins with the join token, registers with a label the benchmark's
/// tasks select, and sends a heartbeat every 2 s to whichever server answers, as an agent given several servers
/// does. Its tasks stay `scheduled`: being bound is what the benchmark measures.
/// </summary>
internal sealed class HeartbeatingNode : IAsyncDisposable
{
    public const string Name = "hollow-faults";
    public static readonly IReadOnlyDictionary<string, string> Label = new Dictionary<string, string> { ["bench"] = "faults" };
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _stop = new();
    private readonly AnyServer _servers;
    private readonly Task _loop;

    private HeartbeatingNode(AnyServer servers)
    {
        _servers = servers;
        _loop = Task.Run(HeartbeatLoopAsync);
    }

    public static async Task<HeartbeatingNode> StartAsync(Func<IReadOnlyList<Uri>> servers, string joinToken, CancellationToken ct)
    {
        using var joiner = new AnyServer(servers, joinToken);
        var joined = await joiner.UntilAnsweredAsync(c => c.JoinNodeAsync(Name, ct), TimeSpan.FromSeconds(30), ct);
        var node = new AnyServer(servers, joined.Credential);
        await node.UntilAnsweredAsync(c => c.RegisterNodeAsync(new RegisterNodeRequest
        {
            Name = Name,
            Address = "127.0.0.1",
            AgentUrl = "http://127.0.0.1:9/", // never called: the benchmark asks for no logs
            Labels = Label,
            // Room for every task of a long run: they stay bound to it.
            Capacity = new ResourceAmounts { CpuMillis = 1_000_000, MemoryBytes = 1L << 40 },
            PortRange = new PortRange(41000, 41009),
            Runtime = "hollow",
            AgentVersion = "bench",
        }, ct), TimeSpan.FromSeconds(30), ct);
        return new HeartbeatingNode(node);
    }

    private async Task HeartbeatLoopAsync()
    {
        try
        {
            while (true)
            {
                try
                {
                    await _servers.UntilAnsweredAsync(c => c.HeartbeatAsync(Name, new HeartbeatRequest(), _stop.Token), Interval, _stop.Token);
                }
                catch (Exception ex) when (AnyServer.IsUnavailable(ex) && !_stop.IsCancellationRequested)
                {
                    // Every server away for a whole interval: the next beat tries again.
                }
                await Task.Delay(Interval, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _servers.Dispose();
        _stop.Dispose();
    }
}
