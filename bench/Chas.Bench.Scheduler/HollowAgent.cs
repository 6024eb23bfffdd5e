using System.Net;
using Chas.Client;
using Chas.Client.Informers;
using Chas.Testing.InProcess;
using Chas.Contracts;

namespace Chas.Bench.Scheduler;

/// <summary>
/// The assignment half of a hollow node, for node-loss: list and watch the tasks bound to the node (as the real
/// agent does) and answer at once — running and ready for what is scheduled, stopped for what is asked to stop.
/// No container exists; the point is the control plane's reaction, not the engine's.
/// </summary>
internal static class HollowAgent
{
    public static async Task RunAsync(Uri server, string token, string node, CancellationToken ct)
    {
        using var client = new ChasClient(server, token);
        // Lists, watches and lists again after a break or falling behind, as the real agent does (the product's informer).
        await HollowAssignments.FollowAsync(TaskSource.For(client, node), task => HandleAsync(client, node, task, ct), ct);
    }

    private static async Task HandleAsync(ChasClient client, string node, TaskResource task, CancellationToken ct)
    {
        if (task.Node != node || task.Status.IsTerminal()) return;
        TaskStatusReport report;
        if (task.StopRequested)
            report = new TaskStatusReport { Status = TaskPhase.Stopped, Node = node, Uid = task.Uid, ExitCode = 0, FinishedAt = DateTimeOffset.UtcNow };
        else if (task.Status is TaskPhase.Scheduled or TaskPhase.Starting)
            report = new TaskStatusReport { Status = TaskPhase.Running, Node = node, Uid = task.Uid, Ready = true, StartedAt = DateTimeOffset.UtcNow };
        else
            return;
        try
        {
            await client.ReportTaskStatusAsync(task.Name, task.Namespace, report, ct);
        }
        catch (ChasApiException ex) when (ex.Status is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            // Replaced, moved or gone meanwhile: the watch brings its new state.
        }
    }
}
