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

    /// <summary>Every namespace the caller holds a role in, by name ("default" too when nothing is stored for it yet).</summary>
    public async Task<IReadOnlyList<(NamespaceResource Namespace, Role Role)>> MembershipsAsync(Caller caller, CancellationToken ct)
    {
        if (caller.Kind != CallerKind.User) return [];
        var (stored, _) = await namespaces.ListAsync(ct);
        var all = stored.Any(n => n.Name == Namespaces.Default) ? stored : [new NamespaceResource { Name = Namespaces.Default }, .. stored];
        return all.Select(n => (Namespace: n, Role: RoleIn(caller, n)))
            .Where(m => m.Role is not null)
            .Select(m => (m.Namespace, m.Role!.Value))
            .OrderBy(m => m.Namespace.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Namespaces the caller may see, or null for "all of them" (admins).</summary>
    public async Task<IReadOnlySet<string>?> VisibleAsync(Caller caller, CancellationToken ct) =>
        caller.IsAdmin ? null : (await MembershipsAsync(caller, ct)).Select(m => m.Namespace.Name).ToHashSet(StringComparer.Ordinal);

    private static Role Max(Role? a, Role b) => a is { } x && x > b ? x : b;
}
