namespace Chas.Store.ContractTests;

public static class WatchReading
{
    /// <summary>
    /// The first <paramref name="count"/> changes of a watch, or fewer when they do not come within the
    /// timeout (cancellation ends a watch quietly), so that a missing change fails an assertion, not the run.
    /// </summary>
    public static async Task<List<ChangeEvent>> TakeAsync(this IAsyncEnumerable<ChangeEvent> watch, int count,
        TimeSpan? timeout = null)
    {
        if (count == 0)
        {
            return [];
        }
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        var changes = new List<ChangeEvent>();
        await foreach (var change in watch.WithCancellation(cancellation.Token))
        {
            changes.Add(change);
            if (changes.Count == count)
            {
                break;
            }
        }
        return changes;
    }

    /// <summary>Completes within a generous bound or fails: a test must never hang on a broken watch.</summary>
    public static Task<T> Soon<T>(this Task<T> task) => task.WaitAsync(TimeSpan.FromSeconds(5));

    public static Task Soon(this Task task) => task.WaitAsync(TimeSpan.FromSeconds(5));

    public static Task<T> Soon<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(TimeSpan.FromSeconds(5));
}
