namespace Chas.Client.Informers;

/// <summary>
/// An informer's local copy of one kind: objects by key, plus named indexes (an index function maps an object to
/// the values it is found under, e.g. its node). Safe to read from any thread; only its informer writes.
/// </summary>
public sealed class Indexer<T>
    where T : class
{
    private readonly Lock _lock = new();
    private readonly Func<T, string> _keyOf;
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<T, IEnumerable<string>>> _indexFunctions = new(StringComparer.Ordinal);
    // index name → value → keys of the objects found under it.
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> _indexes = new(StringComparer.Ordinal);

    public Indexer(Func<T, string> keyOf) => _keyOf = keyOf;

    public string KeyOf(T item) => _keyOf(item);

    public int Count { get { lock (_lock) return _items.Count; } }

    public T? Get(string key) { lock (_lock) return _items.GetValueOrDefault(key); }

    public IReadOnlyList<T> List() { lock (_lock) return [.. _items.Values]; }

    public IReadOnlyList<string> Keys() { lock (_lock) return [.. _items.Keys]; }

    /// <summary>Adds an index (objects already cached are indexed at once). Names are unique.</summary>
    public void AddIndex(string name, Func<T, IEnumerable<string>> valuesOf)
    {
        lock (_lock)
        {
            _indexFunctions.Add(name, valuesOf);
            var index = _indexes[name] = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var (key, item) in _items) AddToIndex(index, valuesOf, key, item);
        }
    }

    /// <summary>Shorthand for an index under at most one value (null: the object is not in that index).</summary>
    public void AddIndex(string name, Func<T, string?> valueOf) =>
        AddIndex(name, item => valueOf(item) is { } value ? [value] : []);

    /// <summary>The objects found under <paramref name="value"/> in the index <paramref name="name"/>.</summary>
    public IReadOnlyList<T> ByIndex(string name, string value)
    {
        lock (_lock)
        {
            if (!_indexes.TryGetValue(name, out var index)) throw new ArgumentException($"no index named '{name}'", nameof(name));
            return index.TryGetValue(value, out var keys) ? [.. keys.Select(k => _items[k])] : [];
        }
    }

    /// <summary>The values under which the index <paramref name="name"/> holds at least one object.</summary>
    public IReadOnlyList<string> IndexValues(string name)
    {
        lock (_lock)
            return _indexes.TryGetValue(name, out var index) ? [.. index.Keys] : throw new ArgumentException($"no index named '{name}'", nameof(name));
    }

    /// <summary>Stores <paramref name="item"/>; returns what it replaced (null: it is new).</summary>
    internal T? Upsert(T item)
    {
        var key = _keyOf(item);
        lock (_lock)
        {
            var old = RemoveLocked(key);
            _items[key] = item;
            foreach (var (name, valuesOf) in _indexFunctions) AddToIndex(_indexes[name], valuesOf, key, item);
            return old;
        }
    }

    /// <summary>Removes the object under <paramref name="key"/>; returns it (null: there was none).</summary>
    internal T? Remove(string key) { lock (_lock) return RemoveLocked(key); }

    private T? RemoveLocked(string key)
    {
        if (!_items.Remove(key, out var old)) return null;
        foreach (var (name, valuesOf) in _indexFunctions)
        {
            var index = _indexes[name];
            foreach (var value in valuesOf(old))
                if (index.TryGetValue(value, out var keys) && keys.Remove(key) && keys.Count == 0) index.Remove(value);
        }
        return old;
    }

    private static void AddToIndex(Dictionary<string, HashSet<string>> index, Func<T, IEnumerable<string>> valuesOf, string key, T item)
    {
        foreach (var value in valuesOf(item))
        {
            if (!index.TryGetValue(value, out var keys)) index[value] = keys = new HashSet<string>(StringComparer.Ordinal);
            keys.Add(key);
        }
    }
}
