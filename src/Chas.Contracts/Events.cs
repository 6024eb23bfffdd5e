namespace Chas.Contracts;

/// <summary>
/// Something that happened to a task, node or deployment, for people (`chas events`, `chas inspect`):
/// Scheduled, Pulled, Started, Ready, Unhealthy, Restarted, OOMKilled, Killed, NodeNotReady,
/// Rescheduled, FailedScheduling… Repeats of one reason about one object within a short window are
/// folded into one entry (<see cref="Count"/> grows, <see cref="Time"/> moves), as Kubernetes does.
/// </summary>
public sealed record EventResource
{
    public string Id { get; init; } = "";
    /// <summary>When it last happened (the first time is <see cref="FirstTime"/>).</summary>
    public DateTimeOffset Time { get; init; }
    public DateTimeOffset FirstTime { get; init; }
    /// <summary>"normal" or "warning".</summary>
    public string Type { get; init; } = EventTypes.Normal;
    /// <summary>One of <see cref="EventReasons"/>, PascalCase.</summary>
    public string Reason { get; init; } = "";
    /// <summary>"task", "node" or "deployment".</summary>
    public string Kind { get; init; } = EventKinds.Task;
    /// <summary>Null for nodes.</summary>
    public string? Namespace { get; init; }
    /// <summary>The object's name.</summary>
    public string Name { get; init; } = "";
    /// <summary>For a deployment's instance: the deployment.</summary>
    public string? Deployment { get; init; }
    public string? Node { get; init; }
    public string Message { get; init; } = "";
    public int Count { get; init; } = 1;
    public long ResourceVersion { get; init; }
}

public static class EventTypes
{
    public const string Normal = "normal";
    public const string Warning = "warning";
}

public static class EventKinds
{
    public const string Task = "task";
    public const string Node = "node";
    public const string Deployment = "deployment";
}

public static class EventReasons
{
    public const string Scheduled = "Scheduled";
    public const string FailedScheduling = "FailedScheduling";
    public const string Pulled = "Pulled";
    public const string BackOff = "BackOff";
    public const string Started = "Started";
    public const string Ready = "Ready";
    public const string Unhealthy = "Unhealthy";
    public const string Restarted = "Restarted";
    public const string OomKilled = "OOMKilled";
    public const string Killed = "Killed";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
    public const string Lost = "Lost";
    public const string Rescheduled = "Rescheduled";
    public const string NodeNotReady = "NodeNotReady";
    public const string NodeReady = "NodeReady";
    public const string RolloutComplete = "RolloutComplete";
    public const string RolloutFailed = "RolloutFailed";
    public const string ScaledUp = "ScaledUp";
    public const string ScaledDown = "ScaledDown";

    /// <summary>What an agent may report through POST /api/v1/events (the rest the server sees itself).</summary>
    public static readonly IReadOnlySet<string> FromAgents = new HashSet<string>(StringComparer.Ordinal) { Pulled, BackOff, Unhealthy, Killed };
}
