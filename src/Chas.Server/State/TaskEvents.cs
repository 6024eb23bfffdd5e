using Chas.Contracts;

namespace Chas.Server.State;

/// <summary>
/// The events an agent's status report means, read off the task before and after the report:
/// Started, Ready, Unhealthy, Restarted, OOMKilled, Killed, Completed, Failed.
/// </summary>
public static class TaskEvents
{
    public sealed record Entry(string Reason, string Message, bool Warning = false);

    public static IReadOnlyList<Entry> FromReport(TaskResource before, TaskResource after)
    {
        var events = new List<Entry>();
        var oom = after.Error is { } error && error.StartsWith("oom-killed", StringComparison.Ordinal)
            && (after.RestartCount != before.RestartCount || after.Status != before.Status);
        if (oom) events.Add(new Entry(EventReasons.OomKilled, $"container {Short(after.ContainerId)} was killed: it exceeded its memory limit", Warning: true));
        if (after.RestartCount > before.RestartCount && !after.Status.IsTerminal())
            events.Add(new Entry(EventReasons.Restarted, after.Reason ?? $"restart {after.RestartCount}", Warning: true));
        if (after.Status == TaskPhase.Running && before.Status != TaskPhase.Running)
            events.Add(new Entry(EventReasons.Started, $"started container {Short(after.ContainerId)} on node {after.Node}"));
        if (after.Ready && !before.Ready)
            events.Add(new Entry(EventReasons.Ready, after.Readiness is null ? "running (no readiness probe)" : "readiness probe passed"));
        if (!after.Ready && before.Ready && after.Status == TaskPhase.Running)
            events.Add(new Entry(EventReasons.Unhealthy, "readiness probe failed: out of service until it passes again", Warning: true));
        if (after.Status != before.Status)
        {
            switch (after.Status)
            {
                case TaskPhase.Stopped:
                    events.Add(new Entry(EventReasons.Killed, before.StopRequested ? $"stopped on request on node {after.Node}" : $"stopped on node {after.Node}"));
                    break;
                case TaskPhase.Completed:
                    events.Add(new Entry(EventReasons.Completed, "exited with code 0"));
                    break;
                case TaskPhase.Failed when !oom:
                    events.Add(new Entry(EventReasons.Failed, after.Error ?? $"exited with code {after.ExitCode}", Warning: true));
                    break;
            }
        }
        return events;
    }

    private static string Short(string? containerId) => containerId is null ? "-" : containerId.Length > 12 ? containerId[..12] : containerId;
}
