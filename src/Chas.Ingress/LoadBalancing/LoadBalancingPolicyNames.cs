using Chas.Contracts;
using YarpPolicies = Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies;

namespace Chas.Ingress.LoadBalancing;

/// <summary>
/// CHaS policy names (<see cref="LoadBalancingPolicies"/>) → the YARP policy that implements each:
/// four built into YARP, two of our own (<see cref="IpHashLoadBalancingPolicy"/>, <see cref="WeightedLoadBalancingPolicy"/>).
/// </summary>
internal static class LoadBalancingPolicyNames
{
    public static string ToYarp(string policy) => policy switch
    {
        LoadBalancingPolicies.LeastRequests => YarpPolicies.LeastRequests,
        LoadBalancingPolicies.PowerOfTwo => YarpPolicies.PowerOfTwoChoices,
        LoadBalancingPolicies.Random => YarpPolicies.Random,
        LoadBalancingPolicies.IpHash => LoadBalancingPolicies.IpHash,
        LoadBalancingPolicies.Weighted => LoadBalancingPolicies.Weighted,
        // Validation keeps other names out; an older or newer server's unknown name still routes.
        _ => YarpPolicies.RoundRobin,
    };
}
