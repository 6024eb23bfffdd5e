using Chas.Client.Informers;

namespace Chas.Client.Tests;

/// <summary>Writes down every handler call, in order, as "added a", "updated a 1→2", "deleted a", "synced 3 first".</summary>
public sealed class Recorder
{
    private readonly Lock _lock = new();
    private readonly List<string> _calls = [];

    public IReadOnlyList<string> Calls { get { lock (_lock) return [.. _calls]; } }

    public void Clear() { lock (_lock) _calls.Clear(); }

    public InformerHandler<Item> Handler(bool listDifferences = true) => new()
    {
        DeliverListDifferences = listDifferences,
        Added = (item, _) => Note($"added {item.Name}"),
        Updated = (old, current, _) => Note($"updated {current.Name} {old.Generation}→{current.Generation}"),
        Deleted = (item, _) => Note($"deleted {item.Name}"),
        Synced = (sync, _) => Note($"synced {sync.Items.Count}{(sync.First ? " first" : "")}"),
    };

    private ValueTask Note(string call)
    {
        lock (_lock) _calls.Add(call);
        return ValueTask.CompletedTask;
    }
}
