using Microsoft.AspNetCore.Builder;

namespace Chas.Server.Auth;

/// <summary>
/// What an endpoint demands of its caller. Every endpoint declares one (or AllowAnonymous); the
/// server refuses to start when one does not, and the authorization matrix test enumerates them.
/// </summary>
public enum AccessLevel
{
    /// <summary>Any signed-in person (not node credentials).</summary>
    Authenticated,
    /// <summary>Cluster-wide reads (nodes): viewer and up.</summary>
    ClusterRead,
    /// <summary>Cluster-wide changes (cordon, drain): operator and up.</summary>
    ClusterOperate,
    Admin,
    /// <summary>Read objects of the addressed namespace: viewer in it.</summary>
    NamespaceRead,
    /// <summary>Create, change and remove workloads of the addressed namespace: user in it.</summary>
    NamespaceWrite,
    /// <summary>Approve or reject workloads of the addressed namespace: operator in it.</summary>
    NamespaceApprove,
    /// <summary>
    /// Listings: with ?namespace= the caller must be viewer in it; without, the answer holds only the
    /// namespaces the caller can see. Node credentials may list only their own node's tasks (?node=SELF).
    /// </summary>
    NamespaceList,
    /// <summary>Exchange the join token for a node credential (join token or admin).</summary>
    NodeJoin,
    /// <summary>A node's agent about its own node ({name} in the route); admins too.</summary>
    NodeSelf,
    /// <summary>A node's agent about something the handler checks is its own (its registration, its instances); admins too.</summary>
    NodeReport,
}

/// <summary>Endpoint metadata carrying the <see cref="AccessLevel"/>.</summary>
public sealed record AccessRule(AccessLevel Level);

public static class AccessRuleExtensions
{
    /// <summary>Declares what the endpoint (or every endpoint of a group) demands; an endpoint's own rule overrides its group's.</summary>
    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, AccessLevel level) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new AccessRule(level));
        builder.RequireAuthorization();
        return builder;
    }
}
