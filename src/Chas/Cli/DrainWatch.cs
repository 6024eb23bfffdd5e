using System.Text.Json;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Cli;

/// <summary>`chas node drain --wait`: follows the tasks bound to a node until none of its deployment instances still runs there.</summary>
internal static class DrainWatch
{
    /// <summary>A deployment instance that still holds its place on the node (standalone tasks are left to finish on their own).</summary>
    public static bool Blocks(TaskResource task, string node) =>
        task.Deployment is not null && task.Node == node && !task.Status.IsTerminal();

    public static async Task WaitAsync(ChasClient client, string node, TimeSpan? timeout, TextWriter output, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t) deadline.CancelAfter(Durations.ForTimer(t));
        var remaining = new Dictionary<(string, string), TaskResource>();
        int? shown = null;

        bool Done()
        {
            if (remaining.Count == 0) return true;
            if (remaining.Count != shown)
                output.WriteLine($"{node}: {remaining.Count} deployment instance{(remaining.Count == 1 ? "" : "s")} still running ({string.Join(", ", remaining.Values.Select(i => i.Name).Order(StringComparer.Ordinal))})");
            shown = remaining.Count;
            return false;
        }

        try
        {
            while (true)
            {
                var list = await client.ListTasksAsync(node, deadline.Token);
                remaining.Clear();
                foreach (var task in list.Items.Where(i => Blocks(i, node))) remaining[(task.Namespace, task.Name)] = task;
                if (Done()) return;
                try
                {
                    await foreach (var ev in client.WatchTasksAsync(list.Revision, node, deadline.Token))
                    {
                        if (ev.Object is not { } task) continue;
                        var key = (task.Namespace, task.Name);
                        if (ev.Type == WatchEventTypes.Deleted || !Blocks(task, node)) remaining.Remove(key);
                        else remaining[key] = task;
                        if (Done()) return;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException or ChasApiException { Status: System.Net.HttpStatusCode.Gone })
                {
                    // The stream dropped: list again, then watch from there.
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new CliException($"node '{node}' still runs {remaining.Count} deployment instance(s) after {Durations.Humanize(timeout!.Value)}: {string.Join(", ", remaining.Values.Select(i => i.Name))}");
        }
    }
}
