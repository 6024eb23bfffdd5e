using System.CommandLine;
using Chas.Cli;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>
/// `chas apply -f FILE`: create or update the deployments, and create the tasks, that YAML files
/// describe. Every document is read and checked before the first request, so a mistake anywhere
/// applies nothing; existing tasks are refused up front too (tasks cannot be updated).
/// </summary>
internal static class ApplyCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "YAML file of Deployment and Task documents ('-' for stdin; repeatable)",
            Required = true,
        };
        var ns = NamespaceOption.Create();
        var cmd = new Command("apply", "Create or update deployments, and create tasks, from YAML files") { files, ns };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, async (client, token) =>
        {
            var manifests = InNamespace(Read(parse.GetValue(files) ?? []), client.Namespace, parse.GetValue(ns) is not null);
            await RejectExistingTasksAsync(client, manifests, token);
            var before = await ExistingDeploymentsAsync(client, manifests, token);
            for (var i = 0; i < manifests.Count; i++)
            {
                var manifest = manifests[i];
                try
                {
                    Console.Out.WriteLine($"{manifest.Id} {await ApplyAsync(client, manifest, before, token)}");
                }
                catch (ChasApiException ex)
                {
                    // What only the server can judge (a quota, a name taken meanwhile) stops the run here, as kubectl's
                    // apply does; say which document, and what has and has not been applied.
                    var applied = i == 0 ? "nothing was applied" : $"the {i} before it {(i == 1 ? "was" : "were")} applied, the rest not";
                    throw new CliException($"{manifest.Where}: {manifest.Id}: {ex.Message} ({applied})");
                }
            }
            return 0;
        }, ct));
        return cmd;
    }

    private static List<Manifest> Read(IEnumerable<string> paths)
    {
        var manifests = new List<Manifest>();
        foreach (var path in paths)
        {
            if (path == "-")
            {
                manifests.AddRange(ManifestReader.Read(Console.In, "stdin"));
                continue;
            }
            if (!File.Exists(path)) throw new CliException($"no such file '{path}'");
            using var reader = File.OpenText(path);
            manifests.AddRange(ManifestReader.Read(reader, path));
        }
        ManifestReader.RejectDuplicates(manifests);
        return manifests;
    }

    /// <summary>
    /// Documents without a namespace go to the chosen one (-n, else the context's); with no choice at all
    /// they keep none and the server puts them in the caller's home namespace. A document naming
    /// another namespace than an explicit -n is a mistake, as in kubectl.
    /// </summary>
    private static List<Manifest> InNamespace(List<Manifest> manifests, string? ns, bool explicitFlag)
    {
        if (ns is null) return manifests;
        var placed = manifests.Select(m => m switch
        {
            DeploymentManifest { Request.Namespace: null } d => d with { Request = d.Request with { Namespace = ns } },
            TaskManifest { Request.Namespace: null } t => t with { Request = t.Request with { Namespace = ns } },
            _ when explicitFlag && m.Namespace != ns =>
                throw new CliException($"{m.Where}: {m.Id} is in namespace '{m.Namespace}', not '{ns}' given by --namespace; nothing was applied"),
            _ => m,
        }).ToList();
        ManifestReader.RejectDuplicates(placed);
        return placed;
    }

    /// <summary>Namespace of a manifest for requests: its own, else none (the client's, else the server's choice).</summary>
    private static string? RequestNamespace(Manifest m) => m switch
    {
        DeploymentManifest d => d.Request.Namespace,
        TaskManifest t => t.Request.Namespace,
        _ => null,
    };

    /// <summary>Each task looked up where it would be created, so the home namespace the server picks is covered too.</summary>
    private static async Task RejectExistingTasksAsync(ChasClient client, IReadOnlyList<Manifest> manifests, CancellationToken ct)
    {
        var clashes = new List<string>();
        foreach (var m in manifests.OfType<TaskManifest>())
        {
            try
            {
                await client.GetTaskAsync(m.Name, RequestNamespace(m), ct);
                clashes.Add(m.Id);
            }
            catch (ChasApiException ex) when (ChasClient.IsNotFound(ex))
            {
                // Free: it will be created.
            }
        }
        if (clashes.Count > 0)
            throw new CliException($"{string.Join(", ", clashes)} already exist{(clashes.Count == 1 ? "s" : "")}; tasks cannot be updated: remove {(clashes.Count == 1 ? "it" : "them")} first (chas rm) or rename; nothing was applied");
    }

    private static async Task<Dictionary<(string, string), DeploymentResource>> ExistingDeploymentsAsync(ChasClient client, IReadOnlyList<Manifest> manifests, CancellationToken ct)
    {
        var existing = new Dictionary<(string, string), DeploymentResource>();
        foreach (var m in manifests.OfType<DeploymentManifest>())
        {
            try
            {
                var d = await client.GetDeploymentAsync(m.Name, RequestNamespace(m), ct);
                existing[(d.Namespace, d.Name)] = d;
            }
            catch (ChasApiException ex) when (ChasClient.IsNotFound(ex))
            {
                // New: it will be created.
            }
        }
        return existing;
    }

    /// <summary>"created", "configured" or "unchanged", as kubectl says it.</summary>
    private static async Task<string> ApplyAsync(ChasClient client, Manifest manifest, Dictionary<(string, string), DeploymentResource> before, CancellationToken ct)
    {
        switch (manifest)
        {
            case TaskManifest t:
                await client.CreateTaskAsync(t.Request, ct);
                return "created";
            case DeploymentManifest d:
                var applied = await client.ApplyDeploymentAsync(d.Request, ct);
                if (!before.TryGetValue((applied.Namespace, applied.Name), out var old)) return "created";
                var same = old.Revision == applied.Revision && old.Replicas == applied.Replicas && old.MaxSurge == applied.MaxSurge
                    && old.MaxUnavailable == applied.MaxUnavailable && old.ProgressDeadlineSeconds.Equals(applied.ProgressDeadlineSeconds);
                return same ? "unchanged" : "configured";
            default:
                throw new InvalidOperationException($"unexpected manifest {manifest.GetType().Name}");
        }
    }
}
