using System.Text.Json;
using System.CommandLine;
using Chas.Cli;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>`chas run|ps|inspect|stop|rm`: tasks, in docker's habits (`ps` and `rm` also know deployments).</summary>
internal static class TaskCommands
{
    public static Command Run()
    {
        var name = new Argument<string>("name") { Description = "Task name (lowercase letters, digits and '-')" };
        var command = new Argument<string[]>("command") { Description = "Command and arguments, after --", Arity = ArgumentArity.ZeroOrMore };
        var image = new Option<string>("--image") { Description = "Container image", Required = true };
        var env = new Option<string[]>("--env", "-e") { Description = "Environment variable K=V (repeatable)" };
        var cpu = new Option<string?>("--cpu") { Description = "CPU to reserve, in cores (0.5) or millicores (500m)" };
        var memory = new Option<string?>("--memory", "-m") { Description = "Memory limit and reservation (256Mi, 1Gi)" };
        var publish = new Option<string[]>("--publish", "-p") { Description = "Publish [HOSTPORT:]CONTAINERPORT[/udp] (repeatable)" };
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait until the task ends; exit with its exit code" };
        var restart = new Option<string?>("--restart") { Description = "When the container exits: never (default), on-failure or always" };
        var maxRestarts = new Option<int?>("--max-restarts") { Description = "With --restart on-failure: restarts allowed before the task fails for good" };
        var gpus = new Option<int?>("--gpus") { Description = "Number of GPUs to allocate (any free ones)" };
        var gpuIndices = new Option<string?>("--gpu-indices") { Description = "Exactly these GPUs of the node, e.g. 0,2" };
        var nodeSelector = new Option<string[]>("--node-selector") { Description = "Only nodes with this label k=v (repeatable; all must match)" };
        var strategy = new Option<string?>("--strategy") { Description = "Node choice: spread (least allocated, default) or binpack (most allocated)" };
        var ns = NamespaceOption.Create();
        var cmd = new Command("run", "Run a container as a task (runs to completion)")
        {
            name, command, image, env, cpu, memory, publish, wait, restart, maxRestarts, gpus, gpuIndices, nodeSelector, strategy, ns,
        };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, async (client, token) =>
        {
            var request = new CreateTaskRequest
            {
                Name = parse.GetValue(name),
                Image = parse.GetValue(image),
                Command = parse.GetValue(command) ?? [],
                Env = WorkloadFlags.Env(parse.GetValue(env) ?? []),
                CpuMillis = WorkloadFlags.Cpu(parse.GetValue(cpu)),
                MemoryBytes = WorkloadFlags.Memory(parse.GetValue(memory)),
                Ports = (parse.GetValue(publish) ?? []).Select(p => Quantity.TryParsePort(p, out var mapping) ? mapping : throw new CliException($"--publish: '{p}' is not [HOSTPORT:]CONTAINERPORT[/tcp|udp]")).ToList(),
                RestartPolicy = WorkloadFlags.Restart(parse.GetValue(restart)),
                MaxRestarts = parse.GetValue(maxRestarts),
                Gpus = parse.GetValue(gpus),
                GpuIndices = WorkloadFlags.GpuIndices(parse.GetValue(gpuIndices)),
                NodeSelector = parse.GetValue(nodeSelector) is { Length: > 0 } selector ? WorkloadFlags.NodeSelector(selector) : null,
                Strategy = WorkloadFlags.Strategy(parse.GetValue(strategy)),
            };
            var task = await client.CreateTaskAsync(request, token);
            Console.Out.WriteLine(task.Name);
            if (!parse.GetValue(wait)) return 0;
            var ended = await TaskWatch.WaitForEndAsync(client, task, token);
            if (ended.Status != TaskPhase.Completed) Console.Error.WriteLine($"{ended.Name}: {ended.Status.ToWire()}{(ended.Error is { } e ? $": {e}" : "")}");
            return ended.ExitCode ?? (ended.Status == TaskPhase.Completed ? 0 : 1);
        }, ct));
        return cmd;
    }

    public static Command Ps()
    {
        var all = new Option<bool>("--all", "-a") { Description = "Show all tasks (default: only those not yet ended)" };
        var output = OutputFormat.CreateOption();
        var deployment = new Option<string?>("--deployment") { Description = "Only the instances of this deployment" };
        var ns = NamespaceOption.Create();
        var allNamespaces = NamespaceOption.CreateAll();
        var watch = new Option<bool>("--watch", "-w") { Description = "After the list, print each change as it happens (Ctrl-C to leave)" };
        var cmd = new Command("ps", "List tasks, deployment instances included") { all, output, deployment, ns, allNamespaces, watch };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, allNamespaces, async (client, token) =>
        {
            var list = await client.ListTasksAsync(ct: token);
            var only = parse.GetValue(deployment);
            bool Selected(TaskResource t) => only is null || t.Deployment == only;
            // The list is already of the chosen namespace; the watch streams every namespace the caller can see.
            bool Watched(TaskResource t) => Selected(t) && (client.Namespace is null || t.Namespace == client.Namespace);
            var tasks = list.Items
                .Where(t => parse.GetValue(all) || !t.Status.IsTerminal())
                .Where(Selected)
                .ToList();
            var format = parse.GetValue(output);
            if (OutputFormat.IsStructured(format))
            {
                if (!parse.GetValue(watch))
                {
                    OutputFormat.Write<IReadOnlyList<TaskResource>>(format, tasks);
                    return 0;
                }
                // Watching as JSON: one object per line, the list first, then every change.
                foreach (var t in tasks) Console.Out.WriteLine(JsonSerializer.Serialize(t, ChasJsonContext.Default.TaskResource));
                await PsWatch.FollowAsync(client, list.Revision, Watched,
                    (t, _) => Console.Out.WriteLine(JsonSerializer.Serialize(t, ChasJsonContext.Default.TaskResource)), token);
                return 0;
            }
            // The first seven columns are the original ones, in their original order: scripts cut them by position.
            // Only -A (new, so no old script uses it) puts NAMESPACE in front, as kubectl does.
            var wide = parse.GetValue(allNamespaces);
            IReadOnlyList<string> headers = ["NAME", "STATUS", "NODE", "IMAGE", "EXIT", "PORTS", "AGE", "DEPLOYMENT", "READY", "RESTARTS"];
            IReadOnlyList<string> Row(TaskResource t, string? change = null) =>
            [
                .. wide ? [t.Namespace] : Array.Empty<string>(),
                t.Name, change == WatchEventTypes.Deleted ? "deleted" : t.Status.ToWire(), t.Node ?? "-", t.Image,
                t.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                t.PublishedPorts.Count == 0 ? "-" : string.Join(",", t.PublishedPorts.Select(p => $"{p.HostIp}:{p.HostPort}->{p.ContainerPort}/{p.Protocol}")),
                OutputFormat.Age(t.CreatedAt),
                t.Deployment ?? "-",
                t.Status.IsTerminal() ? "-" : t.Ready ? "yes" : "no",
                t.RestartCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ];
            var widths = TableWriter.Write(Console.Out, wide ? ["NAMESPACE", .. headers] : headers, tasks.Select(t => Row(t)));
            if (parse.GetValue(watch))
            {
                await Console.Out.FlushAsync(token);
                await PsWatch.FollowAsync(client, list.Revision, Watched, (t, change) =>
                {
                    TableWriter.WriteRow(Console.Out, widths, Row(t, change));
                    Console.Out.Flush();
                }, token);
            }
            return 0;
        }, ct));
        return cmd;
    }

    public static Command Inspect()
    {
        var name = new Argument<string>("name") { Description = "Task, instance or deployment name (deployment/NAME to be explicit)" };
        var output = OutputFormat.CreateOption("json");
        var ns = NamespaceOption.Create();
        var cmd = new Command("inspect", "Show everything about a task or a deployment, with its recent events") { name, output, ns };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, async (client, token) =>
        {
            var (found, deployment) = await DeploymentInspection.FindAsync(client, parse.GetValue(name)!, token);
            if (deployment is not null)
                return await DeploymentInspection.WriteAsync(client, deployment, parse.GetValue(output), token);
            var task = found!; // FindAsync gives one or the other
            if (OutputFormat.IsStructured(parse.GetValue(output)))
            {
                OutputFormat.Write(parse.GetValue(output), task);
                return 0;
            }
            TableWriter.Write(Console.Out, ["FIELD", "VALUE"],
            [
                ["name", task.Name], ["status", task.Status.ToWire()], ["reason", task.Reason ?? "-"], ["node", task.Node ?? "-"],
                ["image", task.Image], ["command", string.Join(' ', task.Command)], ["exitCode", task.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"],
                ["error", task.Error ?? "-"], ["containerId", task.ContainerId ?? "-"],
            ]);
            await EventsCommand.WriteRecentAsync(client, task.Name, token);
            return 0;
        }, ct));
        return cmd;
    }

    public static Command Stop()
    {
        var names = new Argument<string[]>("name") { Description = "Task name(s)", Arity = ArgumentArity.OneOrMore };
        var ns = NamespaceOption.Create();
        var cmd = new Command("stop", "Stop running tasks (SIGTERM, then SIGKILL after 10 s)") { names, ns };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, async (client, token) =>
        {
            return await EachNameAsync(parse.GetValue(names)!, async n =>
            {
                await client.StopTaskAsync(n, ct: token);
                Console.Out.WriteLine(n);
            });
        }, ct));
        return cmd;
    }

    public static Command Rm()
    {
        var names = new Argument<string[]>("name") { Description = "Task name(s)", Arity = ArgumentArity.OneOrMore };
        var force = new Option<bool>("--force", "-f") { Description = "Remove even if still running (the container is killed)" };
        var ns = NamespaceOption.Create();
        var cmd = new Command("rm", "Remove tasks and their containers, or deployments and all their instances (NAME or deployment/NAME)") { names, force, ns };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, async (client, token) =>
        {
            return await EachNameAsync(parse.GetValue(names)!, async n =>
            {
                if (n.StartsWith(DeploymentPrefix, StringComparison.Ordinal))
                {
                    await DeploymentCommands.DeleteWithSuggestionAsync(client, n[DeploymentPrefix.Length..], token);
                    Console.Out.WriteLine(n);
                    return;
                }
                var task = n.StartsWith(TaskPrefix, StringComparison.Ordinal) ? n[TaskPrefix.Length..] : null;
                try
                {
                    await client.DeleteTaskAsync(task ?? n, parse.GetValue(force), ct: token);
                    Console.Out.WriteLine(n);
                }
                catch (ChasApiException ex) when (ChasClient.IsNotFound(ex) && task is null)
                {
                    // No task of that name: perhaps a deployment. If not that either, the task's answer stands.
                    if (!await TryDeleteDeploymentAsync(client, n, token)) throw new CliException(ex.Message);
                    Console.Out.WriteLine(DeploymentPrefix + n);
                }
            });
        }, ct));
        return cmd;
    }

    /// <summary>
    /// As docker stop/rm: a name that fails gets its error line and the others are still tried; the exit status
    /// says whether all went well.
    /// </summary>
    private static async Task<int> EachNameAsync(IEnumerable<string> names, Func<string, Task> act)
    {
        var failed = false;
        foreach (var n in names)
        {
            try
            {
                await act(n);
            }
            catch (Exception ex) when (ex is CliException or ChasApiException or ArgumentException)
            {
                CliRunner.Fail(ex.Message.Contains(n, StringComparison.Ordinal) ? ex.Message : $"{n}: {ex.Message}");
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }

    private const string DeploymentPrefix = "deployment/";
    private const string TaskPrefix = "task/";

    private static async Task<bool> TryDeleteDeploymentAsync(ChasClient client, string name, CancellationToken ct)
    {
        try
        {
            await client.DeleteDeploymentAsync(name, ct: ct);
            return true;
        }
        catch (ChasApiException ex) when (ChasClient.IsNotFound(ex))
        {
            return false;
        }
    }

    /// <summary>Gets a task; on 404 suggests the closest existing name.</summary>
    public static async Task<TaskResource> GetWithSuggestionAsync(ChasClient client, string name, CancellationToken ct)
    {
        try
        {
            return await client.GetTaskAsync(name, ct: ct);
        }
        catch (ChasApiException ex) when (ChasClient.IsNotFound(ex))
        {
            var names = (await client.ListTasksAsync(ct: ct)).Items.Select(t => t.Name);
            var suggestion = Suggestions.Closest(name, names);
            throw new CliException(suggestion is null ? $"no such task '{name}'" : $"no such task '{name}' — did you mean '{suggestion}'?");
        }
    }
}
