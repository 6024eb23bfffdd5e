using Chas.Contracts;
using Chas.Store;

namespace Chas.Server.State;

public sealed class UserStore(IObjectStore store) : ResourceStore<UserResource>(store, KindName, ChasJsonContext.Default.UserResource)
{
    public const string KindName = "users";
    protected override string KeyOf(UserResource resource) => resource.Name;
    protected override long VersionOf(UserResource resource) => resource.ResourceVersion;
    protected override UserResource WithVersion(UserResource resource, long version) => resource with { ResourceVersion = version };
    public Task<UserResource?> GetAsync(string name, CancellationToken ct = default) => GetByKeyAsync(name, ct);
    public Task<UserResource?> UpdateAsync(string name, Func<UserResource, UserResource?> mutate, CancellationToken ct = default) => UpdateByKeyAsync(name, mutate, ct);
}

public sealed class SessionStore(IObjectStore store) : ResourceStore<SessionResource>(store, KindName, ChasJsonContext.Default.SessionResource)
{
    public const string KindName = "sessions";
    protected override string KeyOf(SessionResource resource) => resource.Id;
    protected override long VersionOf(SessionResource resource) => resource.ResourceVersion;
    protected override SessionResource WithVersion(SessionResource resource, long version) => resource with { ResourceVersion = version };
    public Task<SessionResource?> GetAsync(string id, CancellationToken ct = default) => GetByKeyAsync(id, ct);
}

public sealed class ApiTokenStore(IObjectStore store) : ResourceStore<ApiTokenResource>(store, KindName, ChasJsonContext.Default.ApiTokenResource)
{
    public const string KindName = "apitokens";
    protected override string KeyOf(ApiTokenResource resource) => resource.Id;
    protected override long VersionOf(ApiTokenResource resource) => resource.ResourceVersion;
    protected override ApiTokenResource WithVersion(ApiTokenResource resource, long version) => resource with { ResourceVersion = version };
    public Task<ApiTokenResource?> GetAsync(string id, CancellationToken ct = default) => GetByKeyAsync(id, ct);
}

public sealed class InvitationStore(IObjectStore store) : ResourceStore<InvitationResource>(store, KindName, ChasJsonContext.Default.InvitationResource)
{
    public const string KindName = "invitations";
    protected override string KeyOf(InvitationResource resource) => resource.Id;
    protected override long VersionOf(InvitationResource resource) => resource.ResourceVersion;
    protected override InvitationResource WithVersion(InvitationResource resource, long version) => resource with { ResourceVersion = version };
    public Task<InvitationResource?> GetAsync(string id, CancellationToken ct = default) => GetByKeyAsync(id, ct);
}

public sealed class NamespaceStore(IObjectStore store) : ResourceStore<NamespaceResource>(store, KindName, ChasJsonContext.Default.NamespaceResource)
{
    public const string KindName = "namespaces";
    protected override string KeyOf(NamespaceResource resource) => resource.Name;
    protected override long VersionOf(NamespaceResource resource) => resource.ResourceVersion;
    protected override NamespaceResource WithVersion(NamespaceResource resource, long version) => resource with { ResourceVersion = version };

    /// <summary>"default" always exists, even before anyone stored a quota or members for it.</summary>
    public async Task<NamespaceResource?> GetAsync(string name, CancellationToken ct = default) =>
        await GetByKeyAsync(name, ct) ?? (name == Namespaces.Default ? new NamespaceResource { Name = Namespaces.Default } : null);

    public Task<NamespaceResource?> UpdateAsync(string name, Func<NamespaceResource, NamespaceResource?> mutate, CancellationToken ct = default) =>
        UpdateByKeyAsync(name, mutate, ct);
}
