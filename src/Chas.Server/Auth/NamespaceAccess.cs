using Chas.Contracts;
using Chas.Server.State;

namespace Chas.Server.Auth;

/// <summary>
/// A caller's role in a namespace. Admins hold every namespace; operators (cluster-wide) may act in
/// every namespace, since approving costly work is their job; everyone else holds their personal
/// namespace (with their own role, at most operator) and the namespaces an admin granted them.
/// </summary>
public sealed class NamespaceAccess(NamespaceStore namespaces)
{
    public async Task<Role?> RoleInAsync(Caller caller, string ns, CancellationToken ct)
    {
        if (caller.Kind != CallerKind.User) return null;
        // Admins may also address namespaces nobody configured yet (as before users existed).
        if (caller.Role == Role.Admin) return Role.Admin;
        var resource = await namespaces.GetAsync(ns, ct);
        return resource is null ? null : RoleIn(caller, resource);
    }

    public static Role? RoleIn(Caller caller, NamespaceResource ns)
    {
        if (caller.Kind != CallerKind.User) return null;
        if (caller.Role == Role.Admin) return Role.Admin;
        Role? best = null;
        if (ns.Members.TryGetValue(caller.Name, out var granted)) best = granted;
        if (ns.Owner == caller.Name) best = Max(best, caller.Role > Role.Operator ? Role.Operator : caller.Role);
        if (caller.Role == Role.Operator) best = Max(best, Role.Operator);
        return best;
    }

    /// <summary>Namespaces the caller may see, or null for "all of them" (admins).</summary>
    public async Task<IReadOnlySet<string>?> VisibleAsync(Caller caller, CancellationToken ct)
    {
        if (caller.IsAdmin) return null;
        if (caller.Kind != CallerKind.User) return new HashSet<string>(StringComparer.Ordinal);
        var (all, _) = await namespaces.ListAsync(ct);
        var visible = all.Where(n => RoleIn(caller, n) is not null).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        if (RoleIn(caller, new NamespaceResource { Name = Namespaces.Default }) is not null) visible.Add(Namespaces.Default);
        return visible;
    }

    private static Role Max(Role? a, Role b) => a is { } x && x > b ? x : b;
}
