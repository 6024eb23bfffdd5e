using System.Globalization;
using Chas.Cli;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>`chas inspect deployment/NAME` (or a NAME that is no task): the deployment, its instances and its recent events.</summary>
internal static class DeploymentInspection
{
    /// <summary>
    /// What NAME names: "deployment/x" a deployment, "task/x" a task; a bare name is a task when one
    /// has it, else a deployment, else the task lookup's "no such task … did you mean" error.
    /// </summary>
    public static async Task<(TaskResource? Task, DeploymentResource? Deployment)> FindAsync(ChasClient client, string name, CancellationToken ct)
    {
        if (name.StartsWith("deployment/", StringComparison.Ordinal))
            return (null, await DeploymentCommands.GetWithSuggestionAsync(client, name["deployment/".Length..], ct));
        if (name.StartsWith("task/", StringComparison.Ordinal))
            return (await TaskCommands.GetWithSuggestionAsync(client, name["task/".Length..], ct), null);
        try
        {
            return (await client.GetTaskAsync(name, ct: ct), null);
        }
        catch (ChasApiException ex) when (ChasClient.IsNotFound(ex))
        {
        }
        try
        {
            return (null, await client.GetDeploymentAsync(name, ct: ct));
        }
        catch (ChasApiException ex) when (ChasClient.IsNotFound(ex))
        {
            return (await TaskCommands.GetWithSuggestionAsync(client, name, ct), null);
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
            ["name", d.Name], ["namespace", d.Namespace],
            ["mode", d.Mode == DeploymentMode.System ? $"system (nodes {Selector(t.NodeSelector)})" : "replicated"],
            ["replicas", $"{d.ReadyReplicas}/{d.Replicas} ready, {d.UpdatedReplicas} updated{(d.Mode == DeploymentMode.System ? " (one per matching node)" : "")}"],
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
            i.Name, i.Revision?.ToString(CultureInfo.InvariantCulture) ?? "-", i.Status.ToWire(), i.Ready ? "yes" : "no", i.Node ?? i.PinnedNode ?? "-",
            i.RestartCount.ToString(CultureInfo.InvariantCulture),
        ]));
        await EventsCommand.WriteRecentAsync(client, d.Name, ct);
        return 0;
    }

    private static string Selector(IReadOnlyDictionary<string, string> selector) =>
        selector.Count == 0 ? "all" : string.Join(",", selector.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}"));
}
