using System.Runtime.CompilerServices;
using Chas.Ingress.Routing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;
using Policies = Chas.Contracts.LoadBalancingPolicies;

namespace Chas.Ingress.LoadBalancing;

/// <summary>
/// `weighted`: each destination gets traffic in proportion to its weight (metadata set by the route
/// table; a canary's 90/10 split). Smooth weighted round-robin, so the split is exact over any
/// window, interleaved rather than in bursts, and needs no randomness.
/// </summary>
internal sealed class WeightedLoadBalancingPolicy : ILoadBalancingPolicy
{
    private readonly ConditionalWeakTable<ClusterState, SmoothWeightedRoundRobin> _clusters = new();

    public string Name => Policies.Weighted;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations) =>
        availableDestinations.Count == 0 ? null
            : _clusters.GetValue(cluster, _ => new SmoothWeightedRoundRobin()).Next(availableDestinations, RouteMetadata.WeightOf, d => d.DestinationId);
}
