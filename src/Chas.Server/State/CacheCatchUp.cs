namespace Chas.Server.State;

public static class CacheCatchUp
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Waits until the cache has applied <paramref name="revision"/>, for at most a second. The cache
    /// follows tasks, nodes and deployments only: when the store's latest commit is of another kind
    /// (events, audit) it would otherwise wait for the next change of those, however long that takes.
    /// </summary>
    public static async Task CatchUpAsync(this ClusterCache cache, long revision, TimeProvider time, CancellationToken ct)
    {
        try
        {
            await cache.WaitForRevisionAsync(revision, ct).WaitAsync(Limit, time, ct);
        }
        catch (TimeoutException)
        {
            // Everything of the kinds it follows committed before now has been applied or soon is.
        }
    }
}
