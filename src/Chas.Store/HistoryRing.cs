namespace Chas.Store;

/// <summary>
/// The last N published changes, oldest first, and the revision below which they are no longer
/// complete. Not thread-safe: <see cref="WatchHub"/> uses it under its lock.
/// </summary>
internal sealed class HistoryRing(int capacity, long startRevision)
{
    private readonly ChangeEvent[] _changes = new ChangeEvent[capacity];
    private int _start;
    private int _count;

    /// <summary>Every change of this ring with a revision above the floor is still here (or not yet published).</summary>
    public long Floor { get; private set; } = startRevision;

    public void Append(ChangeEvent change)
    {
        if (_count == _changes.Length)
        {
            // Evicting the oldest change: its revision is no longer complete here.
            Floor = _changes[_start].Revision;
            _changes[_start] = change;
            _start = (_start + 1) % _changes.Length;
            return;
        }
        _changes[(_start + _count) % _changes.Length] = change;
        _count++;
    }

    /// <summary>The changes <paramref name="wants"/> accepts, in publishing order.</summary>
    public List<ChangeEvent> Where(Func<ChangeEvent, bool> wants)
    {
        var wanted = new List<ChangeEvent>();
        for (var i = 0; i < _count; i++)
        {
            var change = _changes[(_start + i) % _changes.Length];
            if (wants(change)) wanted.Add(change);
        }
        return wanted;
    }
}
