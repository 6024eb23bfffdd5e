using Chas.Client;
using Chas.Client.Informers;
using Chas.Contracts;

namespace Chas.Server.Tests;

/// <summary>
/// A node agent without containers: heartbeats, and answers its assignments as a healthy agent
/// would (running and ready, stopped when asked). <see cref="BecomesReady"/> lets a test keep
/// some instances from ever becoming ready.
/// </summary>
public sealed class HollowAgent : IAsyncDisposable
{
    private readonly TestServer _server;
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _heartbeats;
    private readonly Task _work;

    public string Name { get; }
    public Func<TaskResource, bool> BecomesReady { get; set; } = _ => true;
    public bool Heartbeating { get; set; } = true;

    private HollowAgent(TestServer server, string name)
    {
        _server = server;
        Name = name;
        _heartbeats = Task.Run(HeartbeatAsync);
        _work = Task.Run(WorkAsync);
    }

    public static async Task<HollowAgent> StartAsync(TestServer server, string name, long cpuMillis = 4000, IReadOnlyDictionary<string, string>? labels = null)
    {
        await server.AddReadyNodeAsync(name, cpuMillis: cpuMillis, ports: new PortRange(20000, 20999), labels: labels);
        return new HollowAgent(server, name);
    }

    private async Task HeartbeatAsync()
    {
        while (!_cts.IsCancellationRequested)
        {
            if (Heartbeating)
            {
                try { await _server.Node.HeartbeatAsync(Name, new HeartbeatRequest(), _cts.Token); }
                catch (Exception ex) when (ex is HttpRequestException or ChasApiException) { }
            }
            try { await Task.Delay(100, _cts.Token); } catch (OperationCanceledException) { return; }
        }
    }

    // Every list is answered whole, then each change, as a real agent reconciles.
    private Task WorkAsync() => HollowAssignments.FollowAsync(TaskSource.For(_server.Node, Name), AnswerAsync, _cts.Token);

    private async Task AnswerAsync(TaskResource task)
    {
        if (!Heartbeating || task.Status.IsTerminal()) return;
        TaskStatusReport? report = task switch
        {
            { StopRequested: true } => new TaskStatusReport { Status = TaskPhase.Stopped, ExitCode = 0 },
            { Status: TaskPhase.Scheduled } => new TaskStatusReport { Status = TaskPhase.Running, ContainerId = $"hollow-{task.Uid}", Ready = BecomesReady(task) },
            _ => null,
        };
        if (report is null) return;
        try
        {
            await _server.Node.ReportTaskStatusAsync(task.Name, task.Namespace, report with { Node = Name, Uid = task.Uid }, _cts.Token);
        }
        catch (ChasApiException)
        {
            // Changed meanwhile (deleted, stopped): the next event brings the new state.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try { await Task.WhenAll(_heartbeats, _work); } catch (OperationCanceledException) { }
        _cts.Dispose();
    }
}
