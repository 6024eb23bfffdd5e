using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Chas.Contracts;
using Chas.Server.State;
using Chas.Store;
using Microsoft.AspNetCore.Http;

namespace Chas.Server.Api;

/// <summary>Who watches, as a filter sees it: the request (its caller's namespaces) and ?node=.</summary>
public sealed record WatchScope(HttpRequest Request, string? Node);

/// <summary>
/// One kind the watch endpoint streams: how a stored change becomes a <see cref="WatchEvent{T}"/>
/// payload, and which changes a watcher may see (null from <see cref="Render"/>: skip it).
/// </summary>
public sealed class WatchableKind
{
    private readonly Func<WatchScope, ChangeEvent, string?> _render;

    private WatchableKind(string name, bool nodesMayWatch, Func<WatchScope, ChangeEvent, string?> render)
    {
        Name = name;
        NodesMayWatch = nodesMayWatch;
        _render = render;
    }

    public string Name { get; }

    /// <summary>Whether agents (node credentials) may watch this kind; every other kind is for users.</summary>
    public bool NodesMayWatch { get; }

    /// <summary>The SSE data of <paramref name="change"/>, or null when this watcher does not see it.</summary>
    public string? Render(WatchScope scope, ChangeEvent change) => _render(scope, change);

    /// <param name="name">The store kind, also the ?kind= value.</param>
    /// <param name="deserialize">The object a change's JSON describes, at the change's revision.</param>
    /// <param name="type">The JSON type of the watch event.</param>
    /// <param name="byChange">Decides on the raw change, before paying for JSON (e.g. the key's namespace).</param>
    /// <param name="byObject">Decides on the object.</param>
    public static WatchableKind Of<T>(string name, Func<string, long, T> deserialize, JsonTypeInfo<WatchEvent<T>> type,
        Func<WatchScope, ChangeEvent, bool>? byChange = null, Func<WatchScope, T, bool>? byObject = null, bool nodesMayWatch = false) =>
        new(name, nodesMayWatch, (scope, change) =>
        {
            if (byChange is not null && !byChange(scope, change)) return null;
            var obj = deserialize(change.Json, change.Revision);
            if (byObject is not null && !byObject(scope, obj)) return null;
            return JsonSerializer.Serialize(new WatchEvent<T> { Type = TypeOf(change.Type), Revision = change.Revision, Object = obj }, type);
        });

    public static string TypeOf(ChangeType type) => type switch
    {
        ChangeType.Added => WatchEventTypes.Added,
        ChangeType.Modified => WatchEventTypes.Modified,
        _ => WatchEventTypes.Deleted,
    };
}

/// <summary>The kinds GET /api/v1/watch serves, by name. A new kind is one more line in the constructor.</summary>
public sealed class WatchableKinds
{
    private readonly IReadOnlyList<WatchableKind> _kinds;

    public WatchableKinds(TaskStore tasks, NodeStore nodes, DeploymentStore deployments) : this(
    [
        WatchableKind.Of(TaskStore.KindName, tasks.Deserialize, ChasJsonContext.Default.WatchEventTaskResource,
            (scope, change) => InVisibleNamespace(scope, change) && MayMentionNode(scope, change), (scope, task) => scope.Node is null || task.Node == scope.Node,
            nodesMayWatch: true),
        WatchableKind.Of(NodeStore.KindName, nodes.Deserialize, ChasJsonContext.Default.WatchEventNodeResource),
        WatchableKind.Of(DeploymentStore.KindName, deployments.Deserialize, ChasJsonContext.Default.WatchEventDeploymentResource, InVisibleNamespace),
        // Node events are "_cluster/id": for anyone who may read nodes; the others by their namespace.
        WatchableKind.Of(EventLog.KindName, EventLog.Deserialize, ChasJsonContext.Default.WatchEventEventResource, byObject: (scope, ev) => EventsApi.Visible(scope.Request, ev)),
    ])
    {
    }

    public WatchableKinds(IReadOnlyList<WatchableKind> kinds) => _kinds = kinds;

    public WatchableKind? Find(string? name) => _kinds.FirstOrDefault(k => k.Name == name);

    /// <summary>"'a', 'b' or 'c'", for the problem that answers an unknown kind.</summary>
    public string Names()
    {
        var quoted = _kinds.Select(k => $"'{k.Name}'").ToList();
        return quoted.Count == 1 ? quoted[0] : $"{string.Join(", ", quoted[..^1])} or {quoted[^1]}";
    }

    /// <summary>Tasks and deployments are keyed "namespace/name": callers see only their namespaces' changes.</summary>
    private static bool InVisibleNamespace(WatchScope scope, ChangeEvent change)
    {
        var slash = change.Key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 || RequestContext.Lists(scope.Request, change.Key[..slash]);
    }

    /// <summary>An agent watches only its own node: skip other nodes' changes before paying for JSON.</summary>
    private static bool MayMentionNode(WatchScope scope, ChangeEvent change) =>
        scope.Node is null || change.Json.Contains($"\"node\":{JsonSerializer.Serialize(scope.Node)}", StringComparison.Ordinal);
}
