using Chas.Contracts;

namespace Chas.Server.State;

/// <summary>
/// The task state machine as the agents drive it:
/// pending → scheduled → running → completed | failed | stopped, plus lost (server-side only).
/// Reports are idempotent: the same terminal report twice is accepted and changes nothing.
/// </summary>
public static class TaskTransitions
{
    public sealed record Outcome(TaskResource? Updated, int? ErrorStatus, string? Error)
    {
        public static Outcome Unchanged(TaskResource task) => new(task, null, null);
        public static Outcome Reject(int status, string error) => new(null, status, error);
    }

    public static Outcome ApplyReport(TaskResource task, TaskStatusReport report, DateTimeOffset now)
    {
        if (report.Node is not null && report.Node != task.Node)
            return Outcome.Reject(409, $"task '{task.Name}' is not assigned to node '{report.Node}'");
        if (report.Uid is not null && report.Uid != task.Uid)
            return Outcome.Reject(409, $"task '{task.Name}' was replaced by a newer task of the same name");

        if (report.Status is TaskPhase.Pending or TaskPhase.Scheduled or TaskPhase.Lost)
            return Outcome.Reject(400, $"agents may not report status '{report.Status.ToWire()}'");
        if (report.Status == TaskPhase.Completed && report.ExitCode is not 0)
            return Outcome.Reject(400, "status 'completed' requires exitCode 0");
        if (report.RestartCount is < 0)
            return Outcome.Reject(400, "restartCount must not be negative");

        if (task.Status.IsTerminal())
        {
            return task.Status == report.Status
                ? Outcome.Unchanged(task)
                : Outcome.Reject(409, $"task '{task.Name}' already ended as {task.Status.ToWire()}");
        }
        if (task.Status == TaskPhase.Pending)
            return Outcome.Reject(409, $"task '{task.Name}' is not scheduled yet");
        if (task.Status == TaskPhase.Stopping && report.Status is TaskPhase.Starting or TaskPhase.Running)
            return Outcome.Reject(409, $"task '{task.Name}' is stopping");

        var common = task with
        {
            Status = report.Status,
            ContainerId = report.ContainerId ?? task.ContainerId,
            RestartCount = report.RestartCount ?? task.RestartCount,
            Reason = report.Reason,
        };
        var updated = report.Status switch
        {
            TaskPhase.Running => common with
            {
                StartedAt = task.StartedAt ?? report.StartedAt ?? now,
                Ready = report.Ready ?? task.Ready,
            },
            // A restart in place: the last exit is kept for `inspect`, readiness is lost until probed again.
            TaskPhase.Starting => common with { Ready = false, ExitCode = report.ExitCode ?? task.ExitCode, Error = report.Error ?? task.Error },
            TaskPhase.Stopping => common with { Ready = false },
            _ => common with
            {
                Ready = false,
                ExitCode = report.ExitCode,
                Error = report.Error,
                StartedAt = task.StartedAt ?? report.StartedAt,
                FinishedAt = report.FinishedAt ?? now,
            },
        };
        return updated == task ? Outcome.Unchanged(task) : new Outcome(updated, null, null);
    }

    /// <summary>The node went away: what it ran is lost.</summary>
    public static TaskResource MarkLost(TaskResource task, string node, DateTimeOffset now) => task with
    {
        Status = TaskPhase.Lost,
        Ready = false,
        Error = $"node '{node}' stopped sending heartbeats",
        FinishedAt = now,
    };

    /// <summary>
    /// A standalone task whose restart policy allows another try goes back to pending, to be placed
    /// on another node. (Deployment instances are replaced by their controller instead.)
    /// </summary>
    public static bool CanReschedule(TaskResource task) =>
        task.Deployment is null && !task.StopRequested && task.RestartPolicy switch
        {
            RestartPolicy.Always => true,
            RestartPolicy.OnFailure => task.MaxRestarts is not { } max || task.RestartCount < max,
            _ => false,
        };

    public static TaskResource Reschedule(TaskResource task, string node, DateTimeOffset now) => task with
    {
        Status = TaskPhase.Pending,
        Node = null,
        PublishedPorts = [],
        AssignedGpus = [],
        ContainerId = null,
        Ready = false,
        RestartCount = task.RestartCount + 1,
        // A new uid: the old container (if the node comes back) belongs to an attempt that is over.
        Uid = Guid.NewGuid().ToString("N"),
        Reason = $"rescheduling: node '{node}' stopped sending heartbeats",
        ScheduledAt = null,
        StartedAt = null,
    };

    /// <summary>`chas stop` on a task no node has started yet ends it at once.</summary>
    public static TaskResource StopUnstarted(TaskResource task, DateTimeOffset now) => task with
    {
        Status = TaskPhase.Stopped,
        StopRequested = true,
        Reason = "stopped before it was scheduled",
        FinishedAt = now,
    };
}
