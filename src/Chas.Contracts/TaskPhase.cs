using System.Text.Json.Serialization;

namespace Chas.Contracts;

/// <summary>The life of a run-to-completion task. Serialized in lowercase.</summary>
[JsonConverter(typeof(WireEnumConverter<TaskPhase>))]
public enum TaskPhase
{
    [JsonStringEnumMemberName("pending")] Pending,
    /// <summary>Waits for an operator's `chas approve` (the namespace asks approval for such work); not scheduled yet.</summary>
    [JsonStringEnumMemberName("pending-approval")] PendingApproval,
    [JsonStringEnumMemberName("scheduled")] Scheduled,
    /// <summary>Placed; the agent is pulling, creating or (after a crash, in back-off) restarting the container.</summary>
    [JsonStringEnumMemberName("starting")] Starting,
    [JsonStringEnumMemberName("running")] Running,
    /// <summary>Asked to stop (scale-down, update, drain, `chas stop`); the container is being stopped.</summary>
    [JsonStringEnumMemberName("stopping")] Stopping,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("stopped")] Stopped,
    [JsonStringEnumMemberName("lost")] Lost,
}

public static class TaskPhaseExtensions
{
    /// <summary>Terminal phases never change again (a new task with the same name is a new object).</summary>
    public static bool IsTerminal(this TaskPhase phase) =>
        phase is TaskPhase.Completed or TaskPhase.Failed or TaskPhase.Stopped or TaskPhase.Lost;

    /// <summary>Phases in which the task holds resources on its node.</summary>
    public static bool HoldsResources(this TaskPhase phase) =>
        phase is TaskPhase.Scheduled or TaskPhase.Starting or TaskPhase.Running or TaskPhase.Stopping;

    public static string ToWire(this TaskPhase phase) => phase switch
    {
        TaskPhase.Pending => "pending",
        TaskPhase.PendingApproval => "pending-approval",
        TaskPhase.Scheduled => "scheduled",
        TaskPhase.Starting => "starting",
        TaskPhase.Running => "running",
        TaskPhase.Stopping => "stopping",
        TaskPhase.Completed => "completed",
        TaskPhase.Failed => "failed",
        TaskPhase.Stopped => "stopped",
        TaskPhase.Lost => "lost",
        _ => phase.ToString().ToLowerInvariant(),
    };
}
