using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Chas.Cli;

/// <summary>
/// Typed, strict reads from one YAML mapping of a manifest. Every key must be one the caller
/// allows; every mistake is a <see cref="CliException"/> that names the file, the document, the
/// line and the key ("web.yaml: document 2, line 7: unknown key 'replica' — did you mean 'replicas'?").
/// </summary>
internal sealed class YamlFields
{
    private readonly Dictionary<string, YamlNode> _values = new(StringComparer.Ordinal);
    private readonly string _where;
    private readonly string _prefix;

    /// <param name="where">"web.yaml: document 2", put before every error.</param>
    /// <param name="prefix">"" at the top of a document, "readiness." inside a probe: how keys are named in errors.</param>
    /// <param name="explainUnknown">An extra explanation for an unknown key, e.g. that it belongs to another kind; null for none.</param>
    public YamlFields(YamlMappingNode map, string where, string prefix, IReadOnlyCollection<string> allowed, Func<string, string?>? explainUnknown = null)
    {
        _where = where;
        _prefix = prefix;
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key }) throw Error(keyNode, "keys must be plain names");
            if (!allowed.Contains(key))
            {
                var hint = explainUnknown?.Invoke(key)
                    ?? (Suggestions.Closest(key, allowed) is { } close ? $"did you mean '{prefix}{close}'?" : $"known keys: {string.Join(", ", allowed)}");
                throw Error(keyNode, $"unknown key '{prefix}{key}' — {hint}");
            }
            _values[key] = value;
        }
    }

    /// <summary>"web.yaml: document 2": nested mappings report errors with the same prefix.</summary>
    public string Location => _where;

    public CliException Error(YamlNode node, string message) => new($"{_where}, line {node.Start.Line}: {message}");

    public bool Has(string key) => _values.ContainsKey(key) && !IsNull(_values[key]);

    public YamlNode? Node(string key) => _values.TryGetValue(key, out var node) && !IsNull(node) ? node : null;

    public string? String(string key) => Node(key) is { } node ? Scalar(node, key) : null;

    public int? Int(string key)
    {
        if (Node(key) is not { } node) return null;
        var text = Scalar(node, key);
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value : throw Error(node, $"{_prefix}{key}: '{text}' is not a whole number");
    }

    public double? Number(string key)
    {
        if (Node(key) is not { } node) return null;
        var text = Scalar(node, key);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value : throw Error(node, $"{_prefix}{key}: '{text}' is not a number");
    }

    /// <summary>A list of strings; a single string is accepted as a one-element list only if <paramref name="split"/> says how to split it.</summary>
    public List<string>? StringList(string key, Func<string, List<string>?>? split = null)
    {
        if (Node(key) is not { } node) return null;
        if (node is YamlScalarNode && split is not null)
        {
            var text = Scalar(node, key);
            return split(text) ?? throw Error(node, $"{_prefix}{key}: '{text}' has an unclosed quote");
        }
        if (node is not YamlSequenceNode sequence) throw Error(node, $"{_prefix}{key}: must be a list");
        return sequence.Children.Select((item, i) => item is YamlScalarNode ? Scalar(item, $"{key}[{i}]") : throw Error(item, $"{_prefix}{key}[{i}]: must be a string")).ToList();
    }

    /// <summary>A mapping of strings to strings (numbers and booleans are kept as written).</summary>
    public Dictionary<string, string>? StringMap(string key)
    {
        if (Node(key) is not { } node) return null;
        if (node is not YamlMappingNode map) throw Error(node, $"{_prefix}{key}: must be a mapping of names to values");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            if (k is not YamlScalarNode { Value: { } name }) throw Error(k, $"{_prefix}{key}: keys must be plain names");
            result[name] = IsNull(v) ? "" : Scalar(v, $"{key}.{name}");
        }
        return result;
    }

    public YamlSequenceNode? Sequence(string key)
    {
        if (Node(key) is not { } node) return null;
        return node as YamlSequenceNode ?? throw Error(node, $"{_prefix}{key}: must be a list");
    }

    private string Scalar(YamlNode node, string key) =>
        node is YamlScalarNode scalar ? scalar.Value ?? "" : throw Error(node, $"{_prefix}{key}: must be a single value, not a list or mapping");

    /// <summary>`key:`, `key: ~` and `key: null` (unquoted) mean "not given".</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };
}
