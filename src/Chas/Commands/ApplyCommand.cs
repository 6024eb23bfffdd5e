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
        var cmd = new Command("apply", "Create or update deployments, and create tasks, from YAML files") { files };
        cmd.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var manifests = Read(parse.GetValue(files) ?? []);
            await RejectExistingTasksAsync(client, manifests, token);
            var before = (await client.ListDeploymentsAsync(token)).Items.ToDictionary(d => (d.Namespace, d.Name));
            foreach (var manifest in manifests)
                Console.Out.WriteLine($"{manifest.Id} {await ApplyAsync(client, manifest, before, token)}");
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

    private static async Task RejectExistingTasksAsync(ChasClient client, IReadOnlyList<Manifest> manifests, CancellationToken ct)
    {
        var wanted = manifests.OfType<TaskManifest>().ToList();
        if (wanted.Count == 0) return;
        var existing = (await client.ListTasksAsync(ct: ct)).Items.Select(t => (t.Namespace, t.Name)).ToHashSet();
        var clashes = wanted.Where(m => existing.Contains((m.Namespace, m.Name))).Select(m => m.Id).ToList();
        if (clashes.Count > 0)
            throw new CliException($"{string.Join(", ", clashes)} already exist{(clashes.Count == 1 ? "s" : "")}; tasks cannot be updated: remove {(clashes.Count == 1 ? "it" : "them")} first (chas rm) or rename; nothing was applied");
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
