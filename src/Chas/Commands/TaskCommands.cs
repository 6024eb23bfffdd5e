using System.CommandLine;
using Chas.Cli;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>`chas run|ps|inspect|stop|rm`: tasks, in docker's habits.</summary>
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
        var cmd = new Command("run", "Run a container as a task (runs to completion)") { name, command, image, env, cpu, memory, publish, wait };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var request = new CreateTaskRequest
            {
                Name = parse.GetValue(name),
                Image = parse.GetValue(image),
                Command = parse.GetValue(command) ?? [],
                Env = ParseEnv(parse.GetValue(env) ?? []),
                CpuMillis = parse.GetValue(cpu) is { } c ? (Quantity.TryParseCpuMillis(c, out var m) ? m : throw new CliException($"--cpu: '{c}' is not a CPU amount (use 0.5 or 500m)")) : null,
                MemoryBytes = parse.GetValue(memory) is { } mem ? (Quantity.TryParseMemory(mem, out var b) ? b : throw new CliException($"--memory: '{mem}' is not a memory amount (use 256Mi or 1Gi)")) : null,
                Ports = (parse.GetValue(publish) ?? []).Select(p => Quantity.TryParsePort(p, out var mapping) ? mapping : throw new CliException($"--publish: '{p}' is not [HOSTPORT:]CONTAINERPORT[/tcp|udp]")).ToList(),
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
        var cmd = new Command("ps", "List tasks") { all, output };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var list = await client.ListTasksAsync(ct: token);
            var tasks = list.Items.Where(t => parse.GetValue(all) || !t.Status.IsTerminal()).ToList();
            if (parse.GetValue(output) == "json")
            {
                OutputFormat.WriteJson<IReadOnlyList<TaskResource>>(tasks);
                return 0;
            }
            TableWriter.Write(Console.Out, ["NAME", "STATUS", "NODE", "IMAGE", "EXIT", "PORTS", "AGE"], tasks.Select(t => (IReadOnlyList<string>)
            [
                t.Name, t.Status.ToWire(), t.Node ?? "-", t.Image, t.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                t.PublishedPorts.Count == 0 ? "-" : string.Join(",", t.PublishedPorts.Select(p => $"{p.HostIp}:{p.HostPort}->{p.ContainerPort}/{p.Protocol}")),
                OutputFormat.Age(t.CreatedAt),
            ]));
            return 0;
        }, ct));
        return cmd;
    }

    public static Command Inspect()
    {
        var name = new Argument<string>("name") { Description = "Task name" };
        var output = OutputFormat.CreateOption("json");
        var cmd = new Command("inspect", "Show everything about a task") { name, output };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var task = await GetWithSuggestionAsync(client, parse.GetValue(name)!, token);
            if (parse.GetValue(output) == "json")
            {
                OutputFormat.WriteJson(task);
                return 0;
            }
            TableWriter.Write(Console.Out, ["FIELD", "VALUE"],
            [
                ["name", task.Name], ["status", task.Status.ToWire()], ["reason", task.Reason ?? "-"], ["node", task.Node ?? "-"],
                ["image", task.Image], ["command", string.Join(' ', task.Command)], ["exitCode", task.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"],
                ["error", task.Error ?? "-"], ["containerId", task.ContainerId ?? "-"],
            ]);
            return 0;
        }, ct));
        return cmd;
    }

    public static Command Stop()
    {
        var names = new Argument<string[]>("name") { Description = "Task name(s)", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("stop", "Stop running tasks (SIGTERM, then SIGKILL after 10 s)") { names };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            foreach (var n in parse.GetValue(names)!)
            {
                await client.StopTaskAsync(n, ct: token);
                Console.Out.WriteLine(n);
            }
            return 0;
        }, ct));
        return cmd;
    }

    public static Command Rm()
    {
        var names = new Argument<string[]>("name") { Description = "Task name(s)", Arity = ArgumentArity.OneOrMore };
        var force = new Option<bool>("--force", "-f") { Description = "Remove even if still running (the container is killed)" };
        var cmd = new Command("rm", "Remove tasks and their containers") { names, force };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            foreach (var n in parse.GetValue(names)!)
            {
                await client.DeleteTaskAsync(n, parse.GetValue(force), ct: token);
                Console.Out.WriteLine(n);
            }
            return 0;
        }, ct));
        return cmd;
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

    private static Dictionary<string, string> ParseEnv(IEnumerable<string> pairs)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new CliException($"--env: '{pair}' is not K=V");
            env[pair[..eq]] = pair[(eq + 1)..];
        }
        return env;
    }
}
