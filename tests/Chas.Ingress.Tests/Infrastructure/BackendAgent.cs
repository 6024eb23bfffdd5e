using System.Collections.Concurrent;
using Chas.Client;
using Chas.Client.Informers;
using Chas.Contracts;

namespace Chas.Ingress.Tests.Infrastructure;

/// <summary>
/// A node agent without containers for many nodes at once: each node owns exactly one host port, the
/// port a <see cref="Backend"/> already listens on, so the instance the scheduler binds there "is" that
/// backend. Heartbeats, reports scheduled instances running (and ready unless told otherwise), stops
/// them when asked, and lets a test flip an instance's readiness.
/// </summary>
public sealed class BackendAgent : IAsyncDisposable
{
    private readonly TestServer _server;
    private readonly ConcurrentDictionary<string, bool> _nodes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _heartbeats;
    private readonly Task _work;

    public BackendAgent(TestServer server)
    {
        _server = server;
        _heartbeats = Task.Run(HeartbeatAsync);
        _work = Task.Run(WorkAsync);
    }

    public Func<TaskResource, bool> BecomesReady { get; set; } = _ => true;

    public async Task AddNodeAsync(string name, int port, string pool)
    {
        await _server.Node.RegisterNodeAsync(new RegisterNodeRequest
        {
            Name = name,
            Address = "127.0.0.1",
            AgentUrl = "http://127.0.0.1:1/",
            Capacity = new ResourceAmounts { CpuMillis = 4000, MemoryBytes = 8L << 30 },
            PortRange = new PortRange(port, port),
            Labels = new Dictionary<string, string> { ["pool"] = pool },
        });
        _nodes[name] = true;
        await _server.Node.HeartbeatAsync(name, new HeartbeatRequest());
    }

    /// <summary>Reports the instance bound to a node as (not) passing its readiness probe.</summary>
    public async Task SetReadyAsync(string node, bool ready)
    {
        var instance = (await _server.Admin.ListTasksAsync(node)).Items.Single(t => t.Status == TaskPhase.Running);
        await _server.Node.ReportTaskStatusAsync(instance.Name, instance.Namespace,
            new TaskStatusReport { Status = TaskPhase.Running, Node = node, Uid = instance.Uid, Ready = ready });
    }

    private async Task HeartbeatAsync()
    {
        while (!_cts.IsCancellationRequested)
        {
            foreach (var node in _nodes.Keys)
            {
                try { await _server.Node.HeartbeatAsync(node, new HeartbeatRequest(), _cts.Token); }
                catch (Exception ex) when (ex is HttpRequestException or ChasApiException or OperationCanceledException) { }
            }
            try { await Task.Delay(300, _cts.Token); } catch (OperationCanceledException) { return; }
        }
    }

    // Every list is answered whole, then each change, as a real agent reconciles.
    private Task WorkAsync() => HollowAssignments.FollowAsync(TaskSource.For(_server.Admin), AnswerAsync, _cts.Token);

    private async Task AnswerAsync(TaskResource task)
    {
        if (task.Node is not { } node || !_nodes.ContainsKey(node) || task.Status.IsTerminal()) return;
        TaskStatusReport? report = task switch
        {
            { StopRequested: true } => new TaskStatusReport { Status = TaskPhase.Stopped, ExitCode = 0 },
            { Status: TaskPhase.Scheduled } => new TaskStatusReport { Status = TaskPhase.Running, ContainerId = $"backend-{task.Uid}", Ready = BecomesReady(task) },
            _ => null,
        };
        if (report is null) return;
        try
        {
            await _server.Node.ReportTaskStatusAsync(task.Name, task.Namespace, report with { Node = node, Uid = task.Uid }, _cts.Token);
        }
        catch (ChasApiException)
        {
            // Changed meanwhile: the next event brings the new state.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try { await Task.WhenAll(_heartbeats, _work); } catch (OperationCanceledException) { }
        _cts.Dispose();
    }
}
