using Chas.Contracts;

namespace Chas.EndToEnd.Tests.Infrastructure;

/// <summary>A deployment and its instances that have not ended, as the API shows them at one moment.</summary>
public sealed record DeploymentView(DeploymentResource Deployment, IReadOnlyList<TaskResource> Live)
{
    public override string ToString() =>
        $"{Deployment.Name} revision={Deployment.Revision} rollout={Deployment.RolloutStatus} ready={Deployment.ReadyReplicas}/{Deployment.Replicas} "
        + $"({Deployment.RolloutMessage ?? "-"}); live instances:\n  " + string.Join("\n  ", Live.Select(TaskWatcher.Describe));
}

/// <summary>Creating deployments through the CLI and waiting for their rollouts through the API, with deadlines.</summary>
public static class DeploymentWaits
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A container that runs until it is stopped and then exits at once: as PID 1, a bare `sleep` would
    /// ignore SIGTERM and every stop (scale-down, update, drain) would wait out the agent's 10 s grace period.
    /// </summary>
    public static readonly string[] LongRunning = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"];

    /// <summary>`chas deploy NAME --image busybox [OPTIONS] -- COMMAND…`, which must succeed; returns the revision it printed.</summary>
    public static async Task<int> DeployAsync(this IControlPlane plane, string name, string[] command, params string[] options)
    {
        var result = await plane.Cli.RunAsync(["deploy", name, "--image", BusyboxImage.Reference, .. options, "--", .. command]);
        var prefix = $"{name}: revision ";
        if (result.ExitCode != 0 || !result.Stdout.StartsWith(prefix, StringComparison.Ordinal)
            || !int.TryParse(result.Stdout.AsSpan(prefix.Length).TrimEnd('\n'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var revision))
            throw new InvalidOperationException($"deploying '{name}' failed\n{result}\n{plane.Diagnostics()}");
        return revision;
    }

    /// <summary>The instances of a deployment that have not ended (stopping ones included).</summary>
    public static IReadOnlyList<TaskResource> LiveInstances(this IEnumerable<TaskResource> tasks, string deployment) =>
        [.. tasks.Where(t => t.Deployment == deployment && !t.Status.IsTerminal())];

    /// <summary>Running, passing readiness, and not asked to stop: an instance that serves and will go on serving.</summary>
    public static bool IsServing(TaskResource task) => task.Status == TaskPhase.Running && task.Ready && !task.StopRequested;

    public static async Task<DeploymentView> ReadAsync(this IControlPlane plane, string deployment) =>
        new(await plane.Client.GetDeploymentAsync(deployment), (await plane.Client.ListTasksAsync()).Items.LiveInstances(deployment));

    /// <summary>
    /// Waits until the rollout of <paramref name="revision"/> is complete with exactly <paramref name="replicas"/>
    /// instances alive, every one of that revision, running and ready.
    /// </summary>
    public static Task<DeploymentView> WaitForRolloutAsync(this IControlPlane plane, string deployment, int replicas, int revision = 1, TimeSpan? deadline = null) =>
        Eventually.GetAsync(
            () => plane.ReadAsync(deployment),
            v => v.Deployment.RolloutStatus == RolloutStates.Complete && v.Deployment.Revision == revision
                && v.Deployment.Replicas == replicas && v.Deployment.ReadyReplicas == replicas
                && v.Live.Count == replicas && v.Live.All(i => i.Revision == revision && IsServing(i)),
            deadline ?? DefaultDeadline, $"deployment '{deployment}' to be rolled out: revision {revision}, {replicas} ready instances and no other", plane.Diagnostics);
}
