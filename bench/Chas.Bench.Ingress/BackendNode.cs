using System.Net;
using Chas.Client;
using Chas.Client.Informers;
using Chas.Testing.InProcess;
using Chas.Contracts;

namespace Chas.Bench.Ingress;

/// <summary>
/// A hollow node standing for the machine the backend runs on: registered with the real server at 127.0.0.1 with a
/// port range of exactly the backend's port, so the one instance the scheduler binds here is published on that port
/// and "is" the backend. It heartbeats, lists and watches its tasks as the real agent does, and reports what is
/// scheduled to it running and ready at once (no container: the backend already listens). The ingress sees an
/// ordinary ready instance and routes to it; nothing in the ingress knows this is a benchmark.
/// </summary>
internal sealed class BackendNode : IAsyncDisposable
{
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);
    private readonly ChasClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    private BackendNode(ChasClient client, string name)
    {
        _client = client;
        Name = name;
    }

    public string Name { get; }

    public static async Task<BackendNode> RegisterAsync(Uri server, string token, string name, int port, CancellationToken ct)
    {
        var client = new ChasClient(server, token);
        var node = new BackendNode(client, name);
        try
        {
            await client.RegisterNodeAsync(new RegisterNodeRequest
            {
                Name = name,
                Address = "127.0.0.1",
                AgentUrl = "http://127.0.0.1:9/", // never called: nothing asks for logs or stats
                Capacity = new ResourceAmounts { CpuMillis = 4000, MemoryBytes = 8L << 30 },
                PortRange = new PortRange(port, port),
                Runtime = "hollow",
                AgentVersion = "bench",
            }, ct);
            await client.HeartbeatAsync(name, new HeartbeatRequest(), ct);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        node._loops.Add(Task.Run(() => node.HeartbeatLoopAsync(node._stop.Token), CancellationToken.None));
        node._loops.Add(Task.Run(() => node.AssignmentLoopAsync(node._stop.Token), CancellationToken.None));
        return node;
    }

    private async Task HeartbeatLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await _client.HeartbeatAsync(Name, new HeartbeatRequest { RunningContainers = 1 }, ct);
                }
                catch (Exception ex) when (ex is HttpRequestException or ChasApiException or IOException)
                {
                    // The next one may get through; the server's timeout is long (see IngressBench).
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The benchmark is over.
        }
    }

    // Lists, watches and lists again after a break or falling behind, as the real agent does (the product's informer).
    private Task AssignmentLoopAsync(CancellationToken ct) =>
        HollowAssignments.FollowAsync(TaskSource.For(_client, Name), task => AnswerAsync(task, ct), ct);

    private async Task AnswerAsync(TaskResource task, CancellationToken ct)
    {
        if (task.Node != Name || task.Status.IsTerminal()) return;
        TaskStatusReport report;
        if (task.StopRequested)
            report = new TaskStatusReport { Status = TaskPhase.Stopped, Node = Name, Uid = task.Uid, ExitCode = 0, FinishedAt = DateTimeOffset.UtcNow };
        else if (task.Status is TaskPhase.Scheduled or TaskPhase.Starting)
            report = new TaskStatusReport
            {
                Status = TaskPhase.Running, Node = Name, Uid = task.Uid, ContainerId = $"backend-{task.Uid}", Ready = true, StartedAt = DateTimeOffset.UtcNow,
            };
        else
            return;
        try
        {
            await _client.ReportTaskStatusAsync(task.Name, task.Namespace, report, ct);
        }
        catch (ChasApiException ex) when (ex.Status is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            // Changed meanwhile: the watch brings its new state.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _client.Dispose();
        _stop.Dispose();
    }
}
