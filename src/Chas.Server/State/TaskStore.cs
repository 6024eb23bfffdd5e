using Chas.Contracts;
using Chas.Store;

namespace Chas.Server.State;

public sealed class TaskStore(IObjectStore store)
    : ResourceStore<TaskResource>(store, KindName, ChasJsonContext.Default.TaskResource)
{
    public const string KindName = "tasks";

    public static string Key(string ns, string name) => $"{ns}/{name}";

    protected override string KeyOf(TaskResource resource) => Key(resource.Namespace, resource.Name);
    protected override long VersionOf(TaskResource resource) => resource.ResourceVersion;
    protected override TaskResource WithVersion(TaskResource resource, long version) => resource with { ResourceVersion = version };

    public Task<TaskResource?> GetAsync(string ns, string name, CancellationToken ct = default) => GetByKeyAsync(Key(ns, name), ct);

    public Task<TaskResource?> UpdateAsync(string ns, string name, Func<TaskResource, TaskResource?> mutate, CancellationToken ct = default) =>
        UpdateByKeyAsync(Key(ns, name), mutate, ct);
}
