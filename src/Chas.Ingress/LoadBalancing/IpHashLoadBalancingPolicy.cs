using Chas.Ingress.Http;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;
using Policies = Chas.Contracts.LoadBalancingPolicies;

namespace Chas.Ingress.LoadBalancing;

/// <summary>
/// `ip-hash`: a client address always lands on the same destination while that destination is
/// available (rendezvous hashing over the available ones, so a removal only moves its own clients).
/// </summary>
internal sealed class IpHashLoadBalancingPolicy : ILoadBalancingPolicy
{
    public string Name => Policies.IpHash;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations) =>
        RendezvousHash.Pick(ClientAddress.Of(context), availableDestinations, d => d.DestinationId);
}
