using System.CommandLine;
using System.Net;
using System.Threading.Channels;
using Chas.Cli;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>
/// `chas logs NAME`: a task's or instance's output, or a deployment's, its instances interleaved
/// line by line with a "[instance] " prefix, as `kubectl logs -l` or `docker compose logs` do.
/// </summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "Task, instance or deployment name" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new output until the task ends" };
        var tail = new Option<int?>("--tail", "-n") { Description = "Only the last N lines (of each instance)" };
        var timestamps = new Option<bool>("--timestamps", "-t") { Description = "Prefix each line with its time" };
        var since = new Option<string?>("--since") { Description = "Only output newer than a duration (10m) or a time (2026-11-23T08:00:00Z)" };
        var stderr = new Option<bool>("--stderr") { Description = "Only what the container wrote to stderr" };
        // -n is --tail here (docker's habit, older than namespaces): the namespace is --namespace only.
        var ns = NamespaceOption.CreateLongOnly();
        var cmd = new Command("logs", "Print the output of a task, an instance or a deployment (through the server; no node access needed)")
            { name, follow, tail, timestamps, since, stderr, ns };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, async (client, token) =>
        {
            if (parse.GetValue(tail) is < 0) throw new CliException("--tail must not be negative");
            var query = new TaskLogQuery
            {
                Follow = parse.GetValue(follow), Tail = parse.GetValue(tail), Timestamps = parse.GetValue(timestamps),
                Since = parse.GetValue(since) is { } s ? ParseSince(s) : null, StderrOnly = parse.GetValue(stderr),
            };
            var wanted = parse.GetValue(name)!;
            if (await DeploymentOrNullAsync(client, wanted, token) is { } deployment)
                return await DeploymentLogsAsync(client, deployment, query, token);
            var task = await TaskCommands.GetWithSuggestionAsync(client, wanted, token);
            await foreach (var line in client.ReadTaskLogsAsync(task.Name, query, task.Namespace, token))
                Console.Out.WriteLine(line);
            return 0;
        }, ct));
        return cmd;
    }

    private static DateTimeOffset ParseSince(string text) =>
        Durations.TryParse(text, out var ago) ? DateTimeOffset.UtcNow - ago
        : DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at
        : throw new CliException($"--since: '{text}' is neither a duration (10m) nor a time (2026-11-23T08:00:00Z)");

    private static async Task<DeploymentResource?> DeploymentOrNullAsync(ChasClient client, string name, CancellationToken ct)
    {
        try
        {
            return await client.GetDeploymentAsync(name, ct: ct);
        }
        catch (ChasApiException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Every current instance's lines, as they come, each prefixed with its instance's name.</summary>
    private static async Task<int> DeploymentLogsAsync(ChasClient client, DeploymentResource deployment, TaskLogQuery query, CancellationToken ct)
    {
        var instances = (await client.ListTasksAsync(ct: ct)).Items
            .Where(t => t.Deployment == deployment.Name && t.Namespace == deployment.Namespace && t.ContainerId is not null)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        if (instances.Count == 0) throw new CliException($"deployment '{deployment.Name}' has no instance with a container yet");

        var lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var readers = instances.Select(async instance =>
        {
            try
            {
                await foreach (var line in client.ReadTaskLogsAsync(instance.Name, query, instance.Namespace, ct))
                    await lines.Writer.WriteAsync($"[{instance.Name}] {line}", ct);
            }
            catch (ChasApiException ex)
            {
                // One instance's node being away must not hide the others' output.
                await Console.Error.WriteLineAsync($"warning: {instance.Name}: {ex.Message}");
            }
        }).ToList();
        _ = Task.WhenAll(readers).ContinueWith(_ => lines.Writer.TryComplete(), TaskScheduler.Default);
        await foreach (var line in lines.Reader.ReadAllAsync(ct))
            Console.Out.WriteLine(line);
        await Task.WhenAll(readers);
        return 0;
    }
}
