using System.Runtime.CompilerServices;
using Chas.Contracts;

namespace Chas.Client.Informers;

/// <summary>Tasks through the API: every task the client may see, or only those bound to one node (the agent's view).</summary>
public static class TaskSource
{
    public static IListWatchSource<TaskResource> For(ChasClient client, string? node = null) =>
        new DelegateSource<TaskResource>(
            ct => client.ListTasksAsync(node, ct),
            (revision, ct) => client.WatchTasksAsync(revision, node, ct),
            ResourceKeys.Task);
}

public static class NodeSource
{
    public static IListWatchSource<NodeResource> For(ChasClient client) =>
        new DelegateSource<NodeResource>(client.ListNodesAsync, client.WatchNodesAsync, ResourceKeys.Node);
}

public static class DeploymentSource
{
    public static IListWatchSource<DeploymentResource> For(ChasClient client) =>
        new DelegateSource<DeploymentResource>(client.ListDeploymentsAsync, client.WatchDeploymentsAsync, ResourceKeys.Deployment);
}

/// <summary>The keys the sources cache objects under: unique per kind, as the server's own store keys are.</summary>
public static class ResourceKeys
{
    public static string Task(TaskResource task) => task.Namespace + "/" + task.Name;
    public static string Node(NodeResource node) => node.Name;
    public static string Deployment(DeploymentResource deployment) => deployment.Namespace + "/" + deployment.Name;
}

public static class ListWatchSource
{
    /// <summary>
    /// Only the objects <paramref name="keep"/> accepts: the rest are left out of lists, and a change that makes an
    /// object fail the test arrives as its deletion (deleting an object never cached changes nothing).
    /// </summary>
    public static IListWatchSource<T> Where<T>(this IListWatchSource<T> source, Func<T, bool> keep) =>
        new FilteredSource<T>(source, keep);

    private sealed class FilteredSource<T>(IListWatchSource<T> inner, Func<T, bool> keep) : IListWatchSource<T>
    {
        public async Task<ResourceList<T>> ListAsync(CancellationToken ct)
        {
            var list = await inner.ListAsync(ct);
            return list with { Items = [.. list.Items.Where(keep)] };
        }

        public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(long revision, [EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var ev in inner.WatchAsync(revision, ct))
            {
                if (ev.Object is { } item && ev.Type is WatchEventTypes.Added or WatchEventTypes.Modified && !keep(item))
                    yield return ev with { Type = WatchEventTypes.Deleted };
                else
                    yield return ev;
            }
        }

        public string KeyOf(T item) => inner.KeyOf(item);
    }
}

internal sealed class DelegateSource<T>(
    Func<CancellationToken, Task<ResourceList<T>>> list,
    Func<long, CancellationToken, IAsyncEnumerable<WatchEvent<T>>> watch,
    Func<T, string> keyOf) : IListWatchSource<T>
{
    public Task<ResourceList<T>> ListAsync(CancellationToken ct) => list(ct);
    public IAsyncEnumerable<WatchEvent<T>> WatchAsync(long revision, CancellationToken ct) => watch(revision, ct);
    public string KeyOf(T item) => keyOf(item);
}
