using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Chas.Ingress.Health;

/// <summary>
/// Passive health: a destination whose last <see cref="IngressOptions.PassiveHealthFailures"/> requests
/// all failed (transport error or 5xx) is taken out for the cluster's reactivation period, then gets
/// traffic again. After a reactivation one more failure takes it out again; one success clears it.
/// Readiness (active health) is the agent's probes: only ready instances ever become destinations.
/// </summary>
internal sealed partial class ConsecutiveFailuresHealthPolicy(
    IDestinationHealthUpdater healthUpdater, IClusterDestinationsUpdater destinationsUpdater, IngressOptions options, ILogger<ConsecutiveFailuresHealthPolicy> logger) : IPassiveHealthCheckPolicy
{
    public const string PolicyName = "ConsecutiveFailures";

    private readonly ConditionalWeakTable<DestinationState, FailureCount> _failures = new();

    public string Name => PolicyName;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        // A client that went away says nothing about the destination.
        if (context.RequestAborted.IsCancellationRequested) return;
        var failures = _failures.GetValue(destination, _ => new FailureCount());
        if (!Failed(context))
        {
            Interlocked.Exchange(ref failures.Value, 0);
            return;
        }
        var threshold = Math.Max(1, options.PassiveHealthFailures);
        if (Interlocked.Increment(ref failures.Value) < threshold || destination.Health.Passive == DestinationHealth.Unhealthy) return;

        Interlocked.Exchange(ref failures.Value, threshold - 1);
        var period = cluster.Model.Config.HealthCheck?.Passive?.ReactivationPeriod ?? options.PassiveHealthReactivation;
        healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, period);
        // SetPassive refreshes the available destinations on the thread pool; doing it here as well
        // means the very next request already avoids this destination.
        destinationsUpdater.UpdateAvailableDestinations(cluster);
        LogTakenOut(logger, destination.DestinationId, cluster.ClusterId, threshold, period.TotalSeconds);
    }

    private static bool Failed(HttpContext context) => context.Features.Get<IForwarderErrorFeature>()?.Error switch
    {
        ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.RequestBodyDestination
            or ForwarderError.ResponseBodyDestination or ForwarderError.UpgradeRequestDestination
            or ForwarderError.UpgradeResponseDestination => true,
        null or ForwarderError.None => context.Response.StatusCode >= StatusCodes.Status500InternalServerError,
        // Errors on the client's side of the exchange.
        _ => false,
    };

    private sealed class FailureCount
    {
        public int Value;
    }

    [LoggerMessage(EventId = 4020, Level = LogLevel.Warning, Message = "Destination {Destination} of {Cluster} failed {Failures} requests in a row; no traffic for {Seconds} s")]
    private static partial void LogTakenOut(ILogger logger, string destination, string cluster, int failures, double seconds);
}
