using System.Net;
using Chas.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chas.Ingress.Watch;

/// <summary>
/// Keeps <see cref="ClusterObjects"/> current: lists deployments, tasks and nodes, then follows the
/// three watch streams from the lists' revisions. When any stream ends or breaks (server restart,
/// 410 Gone, network) all three are listed again after a growing pause. No periodic polling.
/// </summary>
internal sealed partial class ClusterWatcher(ChasClient client, ClusterObjects objects, TimeProvider time, ILogger<ClusterWatcher> logger)
    : BackgroundService
{
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    /// <summary>The server sends a bookmark every 10 s of silence; a stream quiet for much longer is dead (a peer gone without a reset).</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(35);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = InitialBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var deployments = await client.ListDeploymentsAsync(stoppingToken);
                var tasks = await client.ListTasksAsync(ct: stoppingToken);
                var nodes = await client.ListNodesAsync(stoppingToken);
                var firstSync = !objects.Synced;
                objects.Reset(deployments.Items, tasks.Items, nodes.Items);
                if (firstSync) LogSynced(logger, client.Server.ToString(), deployments.Items.Count, tasks.Items.Count, nodes.Items.Count);
                backoff = InitialBackoff;

                using var streams = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                Task[] watches =
                [
                    FollowAsync(ct => client.WatchDeploymentsAsync(deployments.Revision, ct), objects.Apply, streams.Token),
                    FollowAsync(ct => client.WatchTasksAsync(tasks.Revision, ct: ct), objects.Apply, streams.Token),
                    FollowAsync(ct => client.WatchNodesAsync(nodes.Revision, ct), objects.Apply, streams.Token),
                ];
                var ended = await Task.WhenAny(watches);
                await streams.CancelAsync();
                await Task.WhenAll(watches).ContinueWith(_ => { }, TaskScheduler.Default);
                if (stoppingToken.IsCancellationRequested) break;
                if (ended.Exception?.InnerException is { } broken) throw broken;
                LogStreamEnded(logger);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Whatever broke (network, 410 Gone, a server restart, a frame we could not read), the
                // ingress keeps its last routes and lists again: it must never stop over a watch.
                if (ex is ChasApiException { Status: HttpStatusCode.Gone }) LogTooOld(logger);
                else LogBroken(logger, ex.Message);
            }
            try
            {
                await Task.Delay(backoff, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, MaxBackoff.TotalMilliseconds));
        }
    }

    private async Task FollowAsync<T>(Func<CancellationToken, IAsyncEnumerable<T>> watch, Action<T> apply, CancellationToken ct)
    {
        using var stalled = new CancellationTokenSource(StallTimeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, stalled.Token);
        try
        {
            await foreach (var ev in watch(either.Token))
            {
                stalled.CancelAfter(StallTimeout);
                apply(ev);
            }
        }
        catch (OperationCanceledException) when (stalled.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no event nor bookmark for {StallTimeout.TotalSeconds:0} s");
        }
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Watching {Server}: {Deployments} deployments, {Tasks} tasks, {Nodes} nodes")]
    private static partial void LogSynced(ILogger logger, string server, int deployments, int tasks, int nodes);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Watch stream ended, listing again")]
    private static partial void LogStreamEnded(ILogger logger);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Watch interrupted, listing again: {Reason}")]
    private static partial void LogBroken(ILogger logger, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Watch revision no longer kept by the server (410), listing again")]
    private static partial void LogTooOld(ILogger logger);
}
