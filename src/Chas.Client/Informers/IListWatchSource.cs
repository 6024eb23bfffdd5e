using Chas.Contracts;

namespace Chas.Client.Informers;

/// <summary>
/// Where an <see cref="Informer{T}"/> reads one kind: a list with the revision it was read at, and a watch
/// of the changes after a revision. The HTTP sources are <see cref="TaskSource"/>, <see cref="NodeSource"/>
/// and <see cref="DeploymentSource"/>; tests write their own.
/// </summary>
public interface IListWatchSource<T>
{
    /// <summary>Every object, and the revision the list was read at (the watch resumes after it).</summary>
    Task<ResourceList<T>> ListAsync(CancellationToken ct);

    /// <summary>
    /// The changes after <paramref name="revision"/>, in order, and bookmarks, until the stream ends or breaks.
    /// A revision the server no longer keeps surfaces as <see cref="ChasApiException"/> 410 Gone.
    /// </summary>
    IAsyncEnumerable<WatchEvent<T>> WatchAsync(long revision, CancellationToken ct);

    /// <summary>The key an object is cached under (namespace/name, or the name of a cluster-wide object).</summary>
    string KeyOf(T item);
}
