using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Chas.Store;

namespace Chas.Server.State;

/// <summary>
/// Typed access to one kind of the object store. The object's resourceVersion always comes from
/// the store (the revision that last wrote it), never from the JSON.
/// </summary>
public abstract class ResourceStore<T>(IObjectStore store, string kind, JsonTypeInfo<T> typeInfo) where T : class
{
    public string Kind { get; } = kind;
    protected IObjectStore Store { get; } = store;

    protected abstract string KeyOf(T resource);
    protected abstract long VersionOf(T resource);
    protected abstract T WithVersion(T resource, long version);

    // The object each JSON text this process wrote was made from, keyed by the string instance itself: the store
    // hands that same instance to its watchers, so the cache and the watch API get the object back without parsing
    // it again (at 50,000 binds, parsing every change back was most of the cache's work). Weak on the string: an
    // entry lives exactly as long as someone (the watch history, a queued change) still holds the text.
    private readonly ConditionalWeakTable<string, T> _written = new();

    /// <summary>The object <paramref name="json"/> describes, at <paramref name="version"/>; parsed only when this process did not write that very text.</summary>
    public T Deserialize(string json, long version) =>
        WithVersion(_written.TryGetValue(json, out var written) ? written : JsonSerializer.Deserialize(json, StoredTypeInfo)!, version);

    // Records another process wrote (an older version, another server) are read with their declared defaults: ChasJson.Stored.
    private static readonly JsonTypeInfo<T> StoredTypeInfo = Chas.Contracts.ChasJson.StoredTypeInfo<T>();

    public string Serialize(T resource)
    {
        var json = JsonSerializer.Serialize(resource, typeInfo);
        _written.AddOrUpdate(json, resource);
        return json;
    }

    protected async Task<T?> GetByKeyAsync(string key, CancellationToken ct)
    {
        var stored = await Store.GetAsync(Kind, key, ct);
        return stored is null ? null : Deserialize(stored.Json, stored.Version);
    }

    public async Task<(IReadOnlyList<T> Items, long Revision)> ListAsync(CancellationToken ct = default)
    {
        var list = await Store.ListAsync(Kind, ct);
        return (list.Items.Select(o => Deserialize(o.Json, o.Version)).ToList(), list.Revision);
    }

    /// <exception cref="ConflictException">An object with the same key exists.</exception>
    public async Task<T> CreateAsync(T resource, CancellationToken ct = default)
    {
        var revision = await Store.CommitAsync([WriteOp.Create(Kind, KeyOf(resource), Serialize(resource))], ct);
        return WithVersion(resource, revision);
    }

    /// <summary>Writes only if the stored version is still the one <paramref name="resource"/> was read at.</summary>
    /// <exception cref="ConflictException">Someone else wrote it in between, or it is gone.</exception>
    public async Task<T> UpdateAsync(T resource, CancellationToken ct = default)
    {
        var revision = await Store.CommitAsync([Write(resource)], ct);
        return WithVersion(resource, revision);
    }

    public WriteOp Write(T resource) => WriteOp.Update(Kind, KeyOf(resource), VersionOf(resource), Serialize(resource));

    public async Task DeleteAsync(T resource, CancellationToken ct = default) =>
        await Store.CommitAsync([WriteOp.Delete(Kind, KeyOf(resource), VersionOf(resource))], ct);

    /// <summary>
    /// Read-modify-write with optimistic retry. <paramref name="mutate"/> returns null to leave the
    /// object as it is. Returns the stored object (updated or not), or null when it does not exist.
    /// </summary>
    protected async Task<T?> UpdateByKeyAsync(string key, Func<T, T?> mutate, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await GetByKeyAsync(key, ct);
            if (current is null) return null;
            var changed = mutate(current);
            if (changed is null) return current;
            try
            {
                return await UpdateAsync(changed, ct);
            }
            catch (ConflictException) when (attempt < 20)
            {
                // Someone wrote in between: read again and re-apply the change to the new state.
            }
        }
    }
}
