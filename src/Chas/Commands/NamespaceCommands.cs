using System.CommandLine;
using System.Globalization;
using Chas.Cli;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>`chas namespace|ns ls|create|rm|grant|revoke|usage`: where workloads live, who may touch them, how much they may use.</summary>
internal static class NamespaceCommands
{
    public static Command Create()
    {
        var cmd = new Command("namespace", "Manage namespaces: members, quotas, approval")
        {
            List(), Apply(), Remove(), Grant(), Revoke(), Usage(),
        };
        cmd.Aliases.Add("ns");
        return cmd;
    }

    private static Command List()
    {
        var output = OutputFormat.CreateOption();
        var ls = new Command("ls", "List the namespaces you can see") { output };
        ls.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var namespaces = await client.ListNamespacesAsync(token);
            if (OutputFormat.IsStructured(parse.GetValue(output)))
            {
                OutputFormat.Write(parse.GetValue(output), namespaces);
                return 0;
            }
            TableWriter.Write(Console.Out, ["NAME", "OWNER", "MEMBERS", "QUOTA", "APPROVAL", "AGE"], namespaces.Select(n => (IReadOnlyList<string>)
            [
                n.Name, n.Owner ?? "-",
                n.Members.Count == 0 ? "-" : string.Join(",", n.Members.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value.ToWire()}")),
                Describe(n.Quota), Describe(n.Approval), OutputFormat.Age(n.CreatedAt),
            ]));
            return 0;
        }, ct));
        return ls;
    }

    private static Command Apply()
    {
        var name = new Argument<string>("name") { Description = "Namespace name (lowercase letters, digits and '-')" };
        var cpu = new Option<string?>("--cpu") { Description = "Quota: CPU of all workloads together, in cores (4) or millicores (500m)" };
        var memory = new Option<string?>("--memory") { Description = "Quota: memory of all workloads together (8Gi)" };
        var gpus = new Option<int?>("--gpus") { Description = "Quota: GPUs of all workloads together" };
        var instances = new Option<int?>("--instances") { Description = "Quota: running instances (tasks plus deployment replicas)" };
        var approveGpus = new Option<bool>("--approve-gpus") { Description = "Workloads asking for a GPU wait for an operator's approval" };
        var approveCpu = new Option<string?>("--approve-above-cpu") { Description = "Workloads whose instances ask for more CPU than this wait for approval" };
        var approveMemory = new Option<string?>("--approve-above-memory") { Description = "Workloads whose instances ask for more memory than this wait for approval" };
        var cmd = new Command("create", "Create a shared namespace, or change its quota (each flag changes only its limit) and approval policy (admin)")
        {
            name, cpu, memory, gpus, instances, approveGpus, approveCpu, approveMemory,
        };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var request = Request(parse.GetValue(cpu), parse.GetValue(memory), parse.GetValue(gpus), parse.GetValue(instances),
                parse.GetValue(approveGpus), parse.GetValue(approveCpu), parse.GetValue(approveMemory));
            // The server replaces a quota whole; a flag changes only the limit it names (--memory keeps --instances).
            if (request.Quota is { } asked && (await client.ListNamespacesAsync(token)).FirstOrDefault(n => n.Name == parse.GetValue(name))?.Quota is { } current)
            {
                request = request with
                {
                    Quota = new NamespaceQuota
                    {
                        CpuMillis = asked.CpuMillis ?? current.CpuMillis,
                        MemoryBytes = asked.MemoryBytes ?? current.MemoryBytes,
                        Gpus = asked.Gpus ?? current.Gpus,
                        Instances = asked.Instances ?? current.Instances,
                    },
                };
            }
            var ns = await client.ApplyNamespaceAsync(parse.GetValue(name)!, request, token);
            Console.Out.WriteLine($"namespace/{ns.Name} (quota {Describe(ns.Quota)}; approval {Describe(ns.Approval)})");
            return 0;
        }, ct));
        return cmd;
    }

    /// <summary>Flags to the request; no quota flag leaves the quota as it is (null), likewise approval.</summary>
    internal static ApplyNamespaceRequest Request(string? cpu, string? memory, int? gpus, int? instances, bool approveGpus, string? approveCpu, string? approveMemory)
    {
        if (gpus is < 0) throw new CliException($"--gpus: must be 0 or more, not {gpus}");
        if (instances is < 0) throw new CliException($"--instances: must be 0 or more, not {instances}");
        var quota = new NamespaceQuota
        {
            CpuMillis = Cpu(cpu, "--cpu"),
            MemoryBytes = Memory(memory, "--memory"),
            Gpus = gpus,
            Instances = instances,
        };
        var approval = new ApprovalPolicy
        {
            Gpus = approveGpus,
            AboveCpuMillis = Cpu(approveCpu, "--approve-above-cpu"),
            AboveMemoryBytes = Memory(approveMemory, "--approve-above-memory"),
        };
        return new ApplyNamespaceRequest
        {
            Quota = quota == new NamespaceQuota() ? null : quota,
            Approval = approval == new ApprovalPolicy() ? null : approval,
        };
    }

    private static Command Remove()
    {
        var name = new Argument<string>("name") { Description = "Namespace name" };
        var cmd = new Command("rm", "Remove a namespace (admin)") { name };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var n = parse.GetValue(name)!;
            await WithSuggestionAsync(client, n, async () => { await client.DeleteNamespaceAsync(n, token); return true; }, token);
            Console.Out.WriteLine($"namespace/{n}");
            return 0;
        }, ct));
        return cmd;
    }

    private static Command Grant()
    {
        var ns = new Argument<string>("namespace") { Description = "Namespace name" };
        var user = new Argument<string>("user") { Description = "User name" };
        var role = new Argument<string>("role") { Description = "viewer, user, operator or admin (in this namespace)" };
        var cmd = new Command("grant", "Give a user a role in a namespace") { ns, user, role };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var n = parse.GetValue(ns)!;
            var wanted = UserCommands.ParseRole(parse.GetValue(role)!, "role");
            await WithSuggestionAsync(client, n, () => client.GrantAsync(n, parse.GetValue(user)!, wanted, token), token);
            Console.Out.WriteLine($"{parse.GetValue(user)}: {wanted.ToWire()} in {n}");
            return 0;
        }, ct));
        return cmd;
    }

    private static Command Revoke()
    {
        var ns = new Argument<string>("namespace") { Description = "Namespace name" };
        var user = new Argument<string>("user") { Description = "User name" };
        var cmd = new Command("revoke", "Take a user's role in a namespace away") { ns, user };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var n = parse.GetValue(ns)!;
            await WithSuggestionAsync(client, n, () => client.RevokeAsync(n, parse.GetValue(user)!, token), token);
            Console.Out.WriteLine($"{parse.GetValue(user)}: no longer a member of {n}");
            return 0;
        }, ct));
        return cmd;
    }

    private static Command Usage()
    {
        var ns = new Argument<string>("namespace") { Description = "Namespace name" };
        var output = OutputFormat.CreateOption();
        var cmd = new Command("usage", "What a namespace's workloads use, next to its quota") { ns, output };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var n = parse.GetValue(ns)!;
            var resource = await WithSuggestionAsync(client, n, () => client.GetNamespaceAsync(n, token), token);
            var usage = await client.GetNamespaceUsageAsync(n, token);
            if (OutputFormat.IsStructured(parse.GetValue(output)))
            {
                OutputFormat.Write(parse.GetValue(output), usage);
                return 0;
            }
            TableWriter.Write(Console.Out, ["RESOURCE", "USED", "QUOTA"], UsageRows(usage, resource.Quota));
            return 0;
        }, ct));
        return cmd;
    }

    internal static IEnumerable<IReadOnlyList<string>> UsageRows(QuotaUsage usage, NamespaceQuota? quota)
    {
        const string none = "unlimited";
        yield return ["cpu", Quantity.FormatCpu(usage.CpuMillis), quota?.CpuMillis is { } c ? Quantity.FormatCpu(c) : none];
        yield return ["memory", Quantity.FormatMemory(usage.MemoryBytes), quota?.MemoryBytes is { } m ? Quantity.FormatMemory(m) : none];
        yield return ["gpus", Count(usage.Gpus), quota?.Gpus is { } g ? Count(g) : none];
        yield return ["instances", Count(usage.Instances), quota?.Instances is { } i ? Count(i) : none];
    }

    private static string Describe(NamespaceQuota? quota)
    {
        if (quota is null) return "-";
        var parts = new List<string>();
        if (quota.CpuMillis is { } c) parts.Add($"cpu={Quantity.FormatCpu(c)}");
        if (quota.MemoryBytes is { } m) parts.Add($"memory={Quantity.FormatMemory(m)}");
        if (quota.Gpus is { } g) parts.Add($"gpus={Count(g)}");
        if (quota.Instances is { } i) parts.Add($"instances={Count(i)}");
        return parts.Count == 0 ? "-" : string.Join(",", parts);
    }

    private static string Describe(ApprovalPolicy? approval)
    {
        if (approval is null) return "-";
        var parts = new List<string>();
        if (approval.Gpus) parts.Add("gpus");
        if (approval.AboveCpuMillis is { } c) parts.Add($"cpu>{Quantity.FormatCpu(c)}");
        if (approval.AboveMemoryBytes is { } m) parts.Add($"memory>{Quantity.FormatMemory(m)}");
        return parts.Count == 0 ? "-" : string.Join(",", parts);
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static long? Cpu(string? text, string option) => text is null ? null
        : Quantity.TryParseCpuMillis(text, out var millis) ? millis
        : throw new CliException($"{option}: '{text}' is not a CPU amount (use 4 or 500m)");

    private static long? Memory(string? text, string option) => text is null ? null
        : Quantity.TryParseMemory(text, out var bytes) ? bytes
        : throw new CliException($"{option}: '{text}' is not a memory amount (use 512Mi or 8Gi)");

    private static async Task<T> WithSuggestionAsync<T>(ChasClient client, string name, Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call();
        }
        catch (ChasApiException ex) when (ChasClient.IsNotFound(ex))
        {
            var names = (await client.ListNamespacesAsync(ct)).Select(n => n.Name).ToList();
            // The namespace exists: something else is missing (the user of a grant), and the server's answer says what.
            if (names.Contains(name, StringComparer.Ordinal)) throw new CliException(ex.Message);
            var suggestion = Suggestions.Closest(name, names);
            throw new CliException(suggestion is null ? $"no such namespace '{name}'" : $"no such namespace '{name}' — did you mean '{suggestion}'?");
        }
    }
}
