using System.CommandLine;
using System.Globalization;
using Chas.Cli;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>`chas deploy|deployments|scale|rollout`: long-running replicated containers, rolled out revision by revision.</summary>
internal static class DeploymentCommands
{
    public static Command Deploy()
    {
        var name = new Argument<string>("name") { Description = "Deployment name (lowercase letters, digits and '-'); an existing one is updated" };
        var command = new Argument<string[]>("command") { Description = "Command and arguments, after --", Arity = ArgumentArity.ZeroOrMore };
        var image = new Option<string>("--image") { Description = "Container image", Required = true };
        var replicas = new Option<int?>("--replicas") { Description = "Number of instances (new deployments: 1; updates: unchanged when left out)" };
        var mode = new Option<string?>("--mode") { Description = "replicated (default) or system: one instance on every ready node matching --node-selector" };
        var port = new Option<string[]>("--port") { Description = "Publish CONTAINERPORT[/udp]; each instance gets a free host port (repeatable)" };
        var env = new Option<string[]>("--env", "-e") { Description = "Environment variable K=V (repeatable)" };
        var cpu = new Option<string?>("--cpu") { Description = "CPU per instance, in cores (0.5) or millicores (500m)" };
        var memory = new Option<string?>("--memory", "-m") { Description = "Memory per instance (256Mi, 1Gi)" };
        var gpus = new Option<int?>("--gpus") { Description = "GPUs per instance" };
        var strategy = new Option<string?>("--strategy") { Description = "Node choice: spread (least allocated, default) or binpack (most allocated)" };
        var nodeSelector = new Option<string[]>("--node-selector") { Description = "Only nodes with this label k=v (repeatable; all must match)" };
        var maxSurge = new Option<int?>("--max-surge") { Description = "Extra instances a rolling update may start (default 1)" };
        var maxUnavailable = new Option<int?>("--max-unavailable") { Description = "Instances a rolling update may stop before their replacements are ready (default 0)" };
        var progressDeadline = new Option<string?>("--progress-deadline") { Description = "A rollout not ready after this long is marked failed (default 120s)" };
        var readiness = new Option<string?>("--readiness") { Description = $"Readiness probe: {ProbeFlags.Forms}" };
        var liveness = new Option<string?>("--liveness") { Description = $"Liveness probe (restarts the container): {ProbeFlags.Forms}" };
        var probePeriod = new Option<string?>("--probe-period") { Description = "How often both probes run (default 10s)" };
        var hosts = new Option<string[]>("--host") { Description = "Extra host name routed to it by the ingress (repeatable; <name>.<namespace>.localhost always is)" };
        var paths = new Option<string[]>("--path") { Description = "Path prefix routed to it (repeatable; default /)" };
        var lb = new Option<string?>("--lb") { Description = $"Load balancing: {string.Join(", ", LoadBalancingPolicies.All)} (default round-robin)" };
        var weight = new Option<int?>("--weight") { Description = "Share of traffic against other deployments on the same host and path (a canary), default 100" };
        var ns = NamespaceOption.Create();
        var cmd = new Command("deploy", "Create or update a deployment: N copies of a long-running container, updated by rolling revisions")
        {
            name, command, image, mode, replicas, port, env, cpu, memory, gpus, strategy, nodeSelector,
            maxSurge, maxUnavailable, progressDeadline, readiness, liveness, probePeriod, hosts, paths, lb, weight, ns,
        };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, async (client, token) =>
        {
            var period = parse.GetValue(probePeriod) is { } p ? Durations.Parse(p, "--probe-period") : (TimeSpan?)null;
            if (period is not null && parse.GetValue(readiness) is null && parse.GetValue(liveness) is null)
                throw new CliException("--probe-period: give --readiness or --liveness too");
            var request = new ApplyDeploymentRequest
            {
                Name = parse.GetValue(name),
                Image = parse.GetValue(image),
                Command = parse.GetValue(command) ?? [],
                Env = WorkloadFlags.Env(parse.GetValue(env) ?? []),
                CpuMillis = WorkloadFlags.Cpu(parse.GetValue(cpu)),
                MemoryBytes = WorkloadFlags.Memory(parse.GetValue(memory)),
                Gpus = parse.GetValue(gpus),
                Ports = (parse.GetValue(port) ?? []).Select(WorkloadFlags.ContainerPort).ToList(),
                NodeSelector = WorkloadFlags.NodeSelector(parse.GetValue(nodeSelector) ?? []),
                Strategy = WorkloadFlags.Strategy(parse.GetValue(strategy)),
                Mode = WorkloadFlags.Mode(parse.GetValue(mode)),
                Replicas = parse.GetValue(replicas),
                MaxSurge = parse.GetValue(maxSurge),
                MaxUnavailable = parse.GetValue(maxUnavailable),
                ProgressDeadlineSeconds = parse.GetValue(progressDeadline) is { } d ? Durations.Parse(d, "--progress-deadline").TotalSeconds : null,
                Readiness = ProbeFlags.Parse(parse.GetValue(readiness), "--readiness", period),
                Liveness = ProbeFlags.Parse(parse.GetValue(liveness), "--liveness", period),
                Ingress = IngressFlags(parse.GetValue(hosts), parse.GetValue(paths), parse.GetValue(lb), parse.GetValue(weight)),
            };
            var deployment = await client.ApplyDeploymentAsync(request, token);
            Console.Out.WriteLine($"{deployment.Name}: revision {deployment.Revision}");
            return 0;
        }, ct));
        return cmd;
    }

    /// <summary>Null when no routing flag was given, so an update keeps the deployment's current routing.</summary>
    private static IngressSpec? IngressFlags(string[]? hosts, string[]? paths, string? lb, int? weight)
    {
        if (hosts is not { Length: > 0 } && paths is not { Length: > 0 } && lb is null && weight is null) return null;
        var policy = lb?.Trim().ToLowerInvariant() ?? LoadBalancingPolicies.RoundRobin;
        if (!LoadBalancingPolicies.All.Contains(policy))
            throw new CliException($"--lb: '{lb}' is not one of {string.Join(", ", LoadBalancingPolicies.All)}");
        return new IngressSpec { Hosts = hosts ?? [], Paths = paths ?? [], LoadBalancing = policy, Weight = weight ?? 100 };
    }

    public static Command List()
    {
        var output = OutputFormat.CreateOption();
        var ns = NamespaceOption.Create();
        var allNamespaces = NamespaceOption.CreateAll();
        var cmd = new Command("deployments", "List deployments and how their rollouts stand") { output, ns, allNamespaces };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, allNamespaces, async (client, token) =>
        {
            var deployments = (await client.ListDeploymentsAsync(token)).Items;
            if (OutputFormat.IsStructured(parse.GetValue(output)))
            {
                OutputFormat.Write(parse.GetValue(output), deployments);
                return 0;
            }
            var wide = parse.GetValue(allNamespaces);
            // READY is ready/desired; for a system deployment desired is the nodes that match it.
            IReadOnlyList<string> headers = ["NAME", "MODE", "READY", "UP-TO-DATE", "REVISION", "ROLLOUT", "IMAGE", "AGE"];
            TableWriter.Write(Console.Out, wide ? ["NAMESPACE", .. headers] : headers, deployments.Select(d => (IReadOnlyList<string>)
            [
                .. wide ? [d.Namespace] : Array.Empty<string>(),
                d.Name, d.Mode.ToWire(), $"{d.ReadyReplicas}/{d.Replicas}", d.UpdatedReplicas.ToString(CultureInfo.InvariantCulture),
                d.Revision.ToString(CultureInfo.InvariantCulture), d.RolloutStatus, d.Template.Image, OutputFormat.Age(d.CreatedAt),
            ]));
            return 0;
        }, ct));
        return cmd;
    }

    public static Command Scale()
    {
        var name = new Argument<string>("name") { Description = "Deployment name" };
        var replicas = new Argument<string>("replicas") { Description = "Number of instances wanted" };
        var ns = NamespaceOption.Create();
        var cmd = new Command("scale", "Change the number of instances of a deployment") { name, replicas, ns };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, async (client, token) =>
        {
            var text = parse.GetValue(replicas)!;
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                throw new CliException($"replicas: '{text}' is not a whole number (0 or more)");
            var deployment = await WithSuggestionAsync(client, parse.GetValue(name)!, () => client.ScaleDeploymentAsync(parse.GetValue(name)!, n, ct: token), token);
            Console.Out.WriteLine($"{deployment.Name}: {deployment.Replicas} replica{(deployment.Replicas == 1 ? "" : "s")}");
            return 0;
        }, ct));
        return cmd;
    }

    public static Command Rollout()
    {
        var name = new Argument<string>("name") { Description = "Deployment name" };
        var timeout = new Option<string>("--timeout") { Description = "Give up (exit 1) after this long; 0 waits for ever", DefaultValueFactory = _ => "5m" };
        var ns = NamespaceOption.Create();
        var status = new Command("status", "Follow a deployment's rollout: exit 0 when complete, 1 when failed or timed out") { name, timeout, ns };
        status.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, async (client, token) =>
        {
            var limit = Durations.Parse(parse.GetValue(timeout)!, "--timeout");
            var deployment = await GetWithSuggestionAsync(client, parse.GetValue(name)!, token);
            var done = await LiveProgress.RunAsync($"{deployment.Name}: waiting for the rollout",
                steps => RolloutWatch.FollowAsync(client, deployment, limit == TimeSpan.Zero ? null : limit, steps, token));
            Console.Out.WriteLine($"{done.Name}: revision {done.Revision} rolled out");
            return 0;
        }, ct));

        var undoName = new Argument<string>("name") { Description = "Deployment name" };
        var undoNs = NamespaceOption.Create();
        var undo = new Command("undo", "Roll a deployment back to the template of its previous revision (as a new revision)") { undoName, undoNs };
        undo.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, undoNs, async (client, token) =>
        {
            var n = parse.GetValue(undoName)!;
            var deployment = await WithSuggestionAsync(client, n, () => client.UndoRolloutAsync(n, ct: token), token);
            Console.Out.WriteLine($"{deployment.Name}: revision {deployment.Revision}");
            return 0;
        }, ct));

        return new Command("rollout", "Follow or undo a deployment's rollout") { status, undo };
    }

    public static Task<DeploymentResource> GetWithSuggestionAsync(ChasClient client, string name, CancellationToken ct) =>
        WithSuggestionAsync(client, name, () => client.GetDeploymentAsync(name, ct: ct), ct);

    public static Task DeleteWithSuggestionAsync(ChasClient client, string name, CancellationToken ct) =>
        WithSuggestionAsync(client, name, async () =>
        {
            await client.DeleteDeploymentAsync(name, ct: ct);
            return true;
        }, ct);

    /// <summary>Runs a call about one deployment; a 404 becomes "no such deployment 'x' — did you mean 'y'?".</summary>
    private static async Task<T> WithSuggestionAsync<T>(ChasClient client, string name, Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call();
        }
        catch (ChasApiException ex) when (ChasClient.IsNotFound(ex))
        {
            var names = (await client.ListDeploymentsAsync(ct)).Items.Select(d => d.Name);
            var suggestion = Suggestions.Closest(name, names);
            throw new CliException(suggestion is null ? $"no such deployment '{name}'" : $"no such deployment '{name}' — did you mean '{suggestion}'?");
        }
    }
}
