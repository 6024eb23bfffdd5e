using Chas.Contracts;

namespace Chas.EndToEnd.Tests.Infrastructure;

/// <summary>Starting tasks through the CLI and waiting for them through the API, with deadlines.</summary>
public static class TaskWaits
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(30);

    /// <summary>`chas run NAME --image busybox [OPTIONS] -- COMMAND…`, which must succeed and print the name.</summary>
    public static async Task RunTaskAsync(this IControlPlane dev, string name, string[] command, params string[] options)
    {
        var result = await dev.Cli.RunAsync(["run", name, "--image", BusyboxImage.Reference, .. options, "--", .. command]);
        if (result.ExitCode != 0 || result.Stdout != name + "\n")
            throw new InvalidOperationException($"starting task '{name}' failed\n{result}\n{dev.Diagnostics()}");
    }

    /// <summary>Waits until the task is in <paramref name="status"/>; gives up at once if it ends in another status.</summary>
    public static Task<TaskResource> WaitForStatusAsync(this IControlPlane dev, string name, TaskPhase status, TimeSpan? deadline = null) =>
        Eventually.GetAsync(
            async () =>
            {
                var task = await dev.Client.GetTaskAsync(name);
                if (task.Status != status && task.Status.IsTerminal())
                    throw new GiveUpException($"task '{name}' ended as {task.Status.ToWire()} instead of {status.ToWire()}: {task}\n{dev.Diagnostics()}");
                return task;
            },
            task => task.Status == status, deadline ?? DefaultDeadline, $"task '{name}' to be {status.ToWire()}", dev.Diagnostics);

    public static Task<TaskResource> WaitForTaskAsync(this IControlPlane dev, string name, Func<TaskResource, bool> until, string what, TimeSpan? deadline = null) =>
        Eventually.GetAsync(() => dev.Client.GetTaskAsync(name), until, deadline ?? DefaultDeadline, $"task '{name}' {what}", dev.Diagnostics);
}
