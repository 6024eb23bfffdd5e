using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Chas.Client.Informers;
using Chas.Contracts;

namespace Chas.Client.Tests;

/// <summary>A test object: a name, the node it is on, and a generation that tells versions apart.</summary>
public sealed record Item(string Name, string? Node = null, int Generation = 1);

/// <summary>
/// A list/watch source in memory, shaped like the server: one revision that every change advances, lists read
/// at the current revision, and open streams that hear each change. The test ends, breaks or starves streams.
/// </summary>
public sealed class FakeSource : IListWatchSource<Item>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Item> _items = new(StringComparer.Ordinal);
    private readonly List<Channel<WatchEvent<Item>>> _streams = [];
    private readonly List<WatchEvent<Item>> _history = [];
    private long _revision = 10;
    private int _lists;
    private int _failListsLeft;
    private bool _goneOnNextWatch;

    public int Lists => Volatile.Read(ref _lists);
    public List<long> WatchedFrom { get; } = [];
    public int OpenStreams { get { lock (_lock) return _streams.Count; } }

    public string KeyOf(Item item) => item.Name;

    public void Put(Item item) => Change(item, _items.ContainsKey(item.Name) ? WatchEventTypes.Modified : WatchEventTypes.Added);

    public void Delete(string name)
    {
        Item item;
        lock (_lock) item = _items[name];
        Change(item, WatchEventTypes.Deleted);
    }

    /// <summary>A bookmark at a new revision, as when other kinds changed meanwhile.</summary>
    public void Bookmark()
    {
        lock (_lock)
        {
            _revision++;
            foreach (var stream in _streams) stream.Writer.TryWrite(new WatchEvent<Item> { Type = WatchEventTypes.Bookmark, Revision = _revision });
        }
    }

    /// <summary>Closes every open stream cleanly (a server restart), or with an error (a network break).</summary>
    public void EndStreams(Exception? error = null)
    {
        lock (_lock)
        {
            foreach (var stream in _streams) stream.Writer.TryComplete(error);
            _streams.Clear();
        }
    }

    /// <summary>The next watch is refused with 410 Gone, as the server refuses a compacted revision.</summary>
    public void GoneOnNextWatch() { lock (_lock) _goneOnNextWatch = true; }

    public void FailNextLists(int count) => Volatile.Write(ref _failListsLeft, count);

    public Task<ResourceList<Item>> ListAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _lists);
        if (Interlocked.Decrement(ref _failListsLeft) >= 0) throw new HttpRequestException("refused by the test");
        lock (_lock) return Task.FromResult(new ResourceList<Item> { Items = [.. _items.Values], Revision = _revision });
    }

    public async IAsyncEnumerable<WatchEvent<Item>> WatchAsync(long revision, [EnumeratorCancellation] CancellationToken ct)
    {
        var stream = Channel.CreateUnbounded<WatchEvent<Item>>();
        lock (_lock)
        {
            WatchedFrom.Add(revision);
            if (_goneOnNextWatch)
            {
                _goneOnNextWatch = false;
                throw new ChasApiException(HttpStatusCode.Gone, "Gone", $"revision {revision} is compacted", new Dictionary<string, string[]>());
            }
            // As the server does: a watch first replays what happened after the revision it resumes from.
            foreach (var past in _history.Where(e => e.Revision > revision)) stream.Writer.TryWrite(past);
            _streams.Add(stream);
        }
        try
        {
            await foreach (var ev in stream.Reader.ReadAllAsync(ct))
                yield return ev;
        }
        finally
        {
            lock (_lock) _streams.Remove(stream);
        }
    }

    private void Change(Item item, string type)
    {
        lock (_lock)
        {
            _revision++;
            if (type == WatchEventTypes.Deleted) _items.Remove(item.Name);
            else _items[item.Name] = item;
            var ev = new WatchEvent<Item> { Type = type, Revision = _revision, Object = item };
            _history.Add(ev);
            foreach (var stream in _streams) stream.Writer.TryWrite(ev);
        }
    }
}
