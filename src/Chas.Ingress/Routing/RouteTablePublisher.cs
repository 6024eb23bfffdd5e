using Chas.Contracts;
using Chas.Ingress.Watch;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chas.Ingress.Routing;

/// <summary>
/// Recomputes the routes when the watched objects change: the catalog (<see cref="ServiceCatalog.Build"/>,
/// the same computation the server's discovery API uses), then the route table, published only when it
/// differs. Publishes at most once per <see cref="IngressOptions.PublishInterval"/>, so a burst of
/// changes costs one recomputation while a lone change is routed at once.
/// </summary>
internal sealed partial class RouteTablePublisher(
    ClusterInformers objects, IngressConfigProvider provider, IngressOptions options, TimeProvider time, ILogger<RouteTablePublisher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await objects.WaitForChangeAsync(stoppingToken);
                // Nothing is routed before every kind has been listed: a partial view would drop live routes.
                if (!objects.Synced) continue;
                try
                {
                    Publish();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Keep the last good routes; the next change tries again.
                    LogFailed(logger, ex);
                }
                await Task.Delay(options.PublishInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal void Publish()
    {
        var snapshot = objects.Read();
        var services = ServiceCatalog.Build(snapshot.Deployments, snapshot.Instances, snapshot.NodeAddresses, options.Domain.ToLowerInvariant());
        var table = RouteTableBuilder.Build(services, options);
        if (table.SameRoutingAs(provider.Current)) return;
        provider.Publish(table);
        foreach (var reason in table.Skipped) LogSkipped(logger, reason);
        LogPublished(logger, table.Routes.Count, table.Clusters.Count, table.Clusters.Sum(c => c.Destinations?.Count ?? 0));
    }

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Routing {Routes} routes to {Clusters} clusters with {Destinations} destinations")]
    private static partial void LogPublished(ILogger logger, int routes, int clusters, int destinations);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Error, Message = "Could not compute the routes")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "Not routed: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string reason);
}
