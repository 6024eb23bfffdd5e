using System.Net;
using System.Text.Json;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Cli;

/// <summary>
/// `chas ps -w`: after the table, one line per change as the watch delivers it (kubectl get -w).
/// A dropped stream resumes from the last revision seen, so nothing is lost or printed twice; when
/// that revision is too old (410) it lists again and carries on from the list.
/// </summary>
internal static class PsWatch
{
    public static async Task FollowAsync(ChasClient client, long revision, Func<TaskResource, bool> include,
        Action<TaskResource, string> print, CancellationToken ct)
    {
        var since = revision;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var ev in client.WatchTasksAsync(since, ct: ct))
                {
                    since = Math.Max(since, ev.Revision);
                    if (ev.Object is { } task && include(task)) print(task, ev.Type);
                }
            }
            catch (ChasApiException ex) when (ex.Status == HttpStatusCode.Gone)
            {
                since = (await client.ListTasksAsync(ct: ct)).Revision;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException)
            {
                // The connection dropped: resume from the last revision printed.
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
        }
    }
}
