using System.Net;
using Chas.Client;
using Chas.Contracts;
using Microsoft.Extensions.Logging;

namespace Chas.Agent;

/// <summary>
/// Tells the server what happened to a container, retrying while the server is unreachable so that
/// an exit seen during a server restart is not forgotten.
/// </summary>
internal sealed partial class StatusReporter(ChasClient client, string node, ILogger logger, TimeProvider? time = null)
{
    public async Task ReportAsync(TaskResource task, TaskStatusReport report, CancellationToken ct)
    {
        report = report with { Node = node, Uid = task.Uid };
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await client.ReportTaskStatusAsync(task.Name, task.Namespace, report, ct);
                return;
            }
            catch (ChasApiException ex) when (ex.Status is HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.BadRequest)
            {
                // Deleted, replaced or already ended: the server's view wins; nothing to retry.
                LogRejected(logger, task.Name, report.Status.ToWire(), ex.Message);
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or ChasApiException && !ct.IsCancellationRequested)
            {
                LogRetry(logger, task.Name, ex.Message);
                await Task.Delay(delay, time ?? TimeProvider.System, ct);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    /// <summary>
    /// Tells the server something only the agent sees (an image pulled, a failure it retries), once and
    /// without waiting: an event lost to a network hiccup is not worth delaying a container for.
    /// </summary>
    public void ReportEvent(TaskResource task, string reason, string message, bool warning = false)
    {
        var ev = new EventResource
        {
            Kind = EventKinds.Task, Namespace = task.Namespace, Name = task.Name, Reason = reason, Message = message,
            Type = warning ? EventTypes.Warning : EventTypes.Normal,
        };
        _ = Task.Run(async () =>
        {
            try { await client.ReportEventAsync(ev); }
            catch (Exception ex) when (ex is HttpRequestException or ChasApiException or TaskCanceledException) { LogEventLost(logger, reason, task.Name, ex.Message); }
        });
    }

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "Could not report event {Reason} of task {Task}: {Error}")]
    private static partial void LogEventLost(ILogger logger, string reason, string task, string error);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Server declined status {Status} of task {Task}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string task, string status, string reason);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Could not report task {Task}, retrying: {Reason}")]
    private static partial void LogRetry(ILogger logger, string task, string reason);
}
