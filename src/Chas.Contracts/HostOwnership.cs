namespace Chas.Contracts;

/// <summary>
/// Which namespace may route a host name, so one tenant cannot take another's traffic by naming its host:
/// `&lt;anything&gt;.&lt;ns&gt;.&lt;domain&gt;` belongs to namespace ns alone; any other name belongs to the namespace
/// whose deployment claimed it first (the oldest; by name on a tie). Deployments of one namespace may share a host
/// (a canary); a claim by another namespace is refused, with the reason, instead of being merged into it.
/// </summary>
public static class HostOwnership
{
    /// <summary>The namespace `host` is reserved for under `domain`; null for a name outside that pattern.</summary>
    public static string? ReservedNamespace(string host, string domain)
    {
        var suffix = "." + domain;
        if (!host.EndsWith(suffix, StringComparison.Ordinal)) return null;
        var rest = host[..^suffix.Length];
        var dot = rest.LastIndexOf('.');
        return dot <= 0 ? null : rest[(dot + 1)..];
    }

    /// <summary>
    /// Whether a non-admin may ask for `host` in namespace `ns`: only names under the namespace's part of the
    /// domain (`api.team.example.com` for team under example.com). Any other name — an IP, the name people reach
    /// the API gateway by — could take traffic meant for someone else, so only admins route those.
    /// </summary>
    public static bool IsNamespaces(string host, string ns, string domain) => ReservedNamespace(host.ToLowerInvariant(), domain) == ns;

    /// <summary>
    /// For each extra host of each deployment (lowercase, as routed): null when the deployment may route it, else
    /// why not.
    /// </summary>
    public static Func<DeploymentResource, string, string?> Judge(IEnumerable<DeploymentResource> deployments, string domain)
    {
        var firstClaim = new Dictionary<string, DeploymentResource>(StringComparer.Ordinal);
        foreach (var d in deployments.OrderBy(d => d.CreatedAt).ThenBy(d => d.Namespace, StringComparer.Ordinal).ThenBy(d => d.Name, StringComparer.Ordinal))
        {
            foreach (var host in d.Ingress?.Hosts ?? [])
            {
                var name = host.ToLowerInvariant();
                if (ReservedNamespace(name, domain) is null) firstClaim.TryAdd(name, d);
            }
        }
        return (deployment, host) =>
        {
            if (ReservedNamespace(host, domain) is { } reserved)
                return reserved == deployment.Namespace ? null : $"'{host}' belongs to namespace '{reserved}'";
            return firstClaim.TryGetValue(host, out var first) && first.Namespace != deployment.Namespace
                ? $"'{host}' is routed to namespace '{first.Namespace}' (deployment {first.Name} claimed it first)"
                : null;
        };
    }
}
