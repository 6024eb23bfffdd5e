using Chas.Client.Informers;
using Chas.Contracts;

namespace Chas.Testing.InProcess;

/// <summary>How a hollow agent (no engine behind it) follows the tasks it must answer, as a real agent does.</summary>
public static class HollowAssignments
{
    /// <summary>
    /// Calls <paramref name="answer"/> for every task of each (re)list and for each task added or changed after it,
    /// through the product's informer (quick retries: a test's server restarts), until <paramref name="ct"/> fires.
    /// </summary>
    public static async Task FollowAsync(IListWatchSource<TaskResource> source, Func<TaskResource, Task> answer, CancellationToken ct)
    {
        await using var tasks = new Informer<TaskResource>(source,
            new InformerOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(500) });
        tasks.AddHandler(new InformerHandler<TaskResource>
        {
            DeliverListDifferences = false,
            Synced = async (sync, _) => { foreach (var task in sync.Items) await answer(task); },
            Added = (task, _) => new ValueTask(answer(task)),
            Updated = (_, task, _) => new ValueTask(answer(task)),
        });
        await tasks.RunAsync(ct);
    }
}
