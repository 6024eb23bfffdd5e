using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Chas.Scheduling;

/// <summary>
/// Node name → reason, as collected during one placement. Appending is a list add; the lookup table
/// is only built if someone looks a node up, because on a large cluster hashing thousands of node
/// names on every placement would cost more than the filters themselves, and most results are only
/// ever counted or enumerated. Node names are unique within a snapshot, so entries never collide.
/// </summary>
internal sealed class NodeRejections : IReadOnlyDictionary<string, string>
{
    private readonly List<KeyValuePair<string, string>> _entries = [];
    private Dictionary<string, string>? _byName;

    public void Add(string nodeName, string reason) => _entries.Add(new(nodeName, reason));

    public int Count => _entries.Count;

    public IEnumerable<string> Keys => _entries.Select(entry => entry.Key);

    public IEnumerable<string> Values => _entries.Select(entry => entry.Value);

    public string this[string key] => ByName()[key];

    public bool ContainsKey(string key) => ByName().ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value) => ByName().TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // Results may be shared between threads: a racing reader builds its own copy and one of them wins.
    private Dictionary<string, string> ByName() => LazyInitializer.EnsureInitialized(ref _byName, BuildByName);

    private Dictionary<string, string> BuildByName()
    {
        var byName = new Dictionary<string, string>(_entries.Count, StringComparer.Ordinal);
        foreach (var (name, reason) in _entries) byName[name] = reason;
        return byName;
    }
}
