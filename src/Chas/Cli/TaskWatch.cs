using Chas.Client;
using Chas.Contracts;

namespace Chas.Cli;

internal static class TaskWatch
{
    /// <summary>Follows a task through the watch stream until it ends; resumes the watch if the connection drops.</summary>
    public static async Task<TaskResource> WaitForEndAsync(ChasClient client, TaskResource task, CancellationToken ct)
    {
        while (true)
        {
            var current = await client.GetTaskAsync(task.Name, task.Namespace, ct);
            if (current.Status.IsTerminal()) return current;
            try
            {
                await foreach (var ev in client.WatchTasksAsync(current.ResourceVersion, ct: ct))
                {
                    if (ev.Object is not { } t || t.Name != task.Name || t.Namespace != task.Namespace) continue;
                    if (ev.Type == WatchEventTypes.Deleted) throw new CliException($"task '{task.Name}' was removed");
                    if (t.Status.IsTerminal()) return t;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or ChasApiException { Status: System.Net.HttpStatusCode.Gone })
            {
                // Re-read and watch again.
            }
        }
    }
}
