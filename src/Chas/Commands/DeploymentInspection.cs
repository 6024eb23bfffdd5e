using System.Globalization;
using Chas.Cli;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>`chas inspect deployment/NAME` (or a NAME that is no task): the deployment, its instances and its recent events.</summary>
internal static class DeploymentInspection
{
    /// <summary>The deployment NAME names: "deployment/x" always; a bare name only when no task has it.</summary>
    public static async Task<DeploymentResource?> FindAsync(ChasClient client, string name, CancellationToken ct)
    {
        var explicitly = name.StartsWith("deployment/", StringComparison.Ordinal);
        if (name.StartsWith("task/", StringComparison.Ordinal)) return null;
        var bare = explicitly ? name["deployment/".Length..] : name;
        if (!explicitly && await ExistsAsync(() => client.GetTaskAsync(bare, ct: ct))) return null;
        try
        {
            return await client.GetDeploymentAsync(bare, ct: ct);
        }
        catch (ChasApiException ex) when (ChasClient.IsNotFound(ex) && !explicitly)
        {
            return null; // let the task lookup explain, with its suggestion
        }
    }

    public static async Task<int> WriteAsync(ChasClient client, DeploymentResource d, string? format, CancellationToken ct)
    {
        if (OutputFormat.IsStructured(format))
        {
            OutputFormat.Write(format, d);
            return 0;
        }
        var t = d.Template;
        TableWriter.Write(Console.Out, ["FIELD", "VALUE"],
        [
            ["name", d.Name], ["namespace", d.Namespace], ["replicas", $"{d.ReadyReplicas}/{d.Replicas} ready, {d.UpdatedReplicas} updated"],
            ["revision", d.Revision.ToString(CultureInfo.InvariantCulture)], ["rollout", $"{d.RolloutStatus}: {d.RolloutMessage ?? "-"}"],
            ["approval", d.Approval is { } a ? $"{a.State.ToString().ToLowerInvariant()}{(a.By is null ? "" : " by " + a.By)}{(a.Reason is null ? "" : ": " + a.Reason)}" : "-"],
            ["image", t.Image], ["command", t.Command.Count == 0 ? "-" : string.Join(' ', t.Command)],
            ["resources", $"cpu {Quantity.FormatCpu(t.CpuMillis)}, memory {(t.MemoryBytes == 0 ? "-" : Quantity.FormatMemory(t.MemoryBytes))}, gpus {t.Gpus}"],
            ["ports", t.Ports.Count == 0 ? "-" : string.Join(", ", t.Ports.Select(p => $"{p.ContainerPort}/{p.Protocol}"))],
        ]);
        var instances = (await client.ListTasksAsync(ct: ct)).Items
            .Where(i => i.Deployment == d.Name && i.Namespace == d.Namespace && !i.Status.IsTerminal())
            .OrderBy(i => i.Name, StringComparer.Ordinal)
            .ToList();
        Console.Out.WriteLine();
        TableWriter.Write(Console.Out, ["INSTANCE", "REVISION", "STATUS", "READY", "NODE", "RESTARTS"], instances.Select(i => (IReadOnlyList<string>)
        [
            i.Name, i.Revision?.ToString(CultureInfo.InvariantCulture) ?? "-", i.Status.ToWire(), i.Ready ? "yes" : "no", i.Node ?? "-",
            i.RestartCount.ToString(CultureInfo.InvariantCulture),
        ]));
        await EventsCommand.WriteRecentAsync(client, d.Name, ct);
        return 0;
    }

    private static async Task<bool> ExistsAsync(Func<Task> get)
    {
        try
        {
            await get();
            return true;
        }
        catch (ChasApiException ex) when (ChasClient.IsNotFound(ex))
        {
            return false;
        }
    }
}
