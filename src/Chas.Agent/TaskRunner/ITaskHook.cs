namespace Chas.Agent.TaskRunner;

/// <summary>
/// One concern of running a task's container (its image, mounts, network, probes, drain), in the manner of Nomad's
/// task runner hooks: <see cref="TaskRun"/> calls every hook at each step of the container's life, and a hook
/// implements only the steps it has something to do in (the others are no-ops). Prestart and poststart steps run in
/// the order of the hook list, pre-kill and exited steps in reverse, so what was set up last is torn down first.
/// </summary>
internal interface ITaskHook
{
    /// <summary>For logs and tests.</summary>
    string Name { get; }

    /// <summary>
    /// Before the container is created: make what it needs present and fill in <see cref="TaskContext.Spec"/>.
    /// A <see cref="Chas.Runtime.RuntimeException"/> fails the creation (retried for instances that always restart).
    /// </summary>
    Task PrestartAsync(TaskContext context, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The container runs (started, restarted or adopted) and its supervision begins.</summary>
    Task PoststartAsync(TaskContext context, CancellationToken ct) => Task.CompletedTask;

    /// <summary>A stop was asked for: the container is still running and gets its stop signal once every hook returned.</summary>
    Task PreKillAsync(TaskContext context, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The container exited (by itself, by a stop, or by a liveness failure): end what poststart began.</summary>
    Task ExitedAsync(TaskContext context, CancellationToken ct) => Task.CompletedTask;
}
