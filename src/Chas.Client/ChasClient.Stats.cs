using System.Globalization;
using Chas.Contracts;

namespace Chas.Client;

public sealed partial class ChasClient
{
    /// <summary>The task's samples (one a second, up to ten minutes), only those after <paramref name="since"/> when given.</summary>
    public Task<StatsSeries> GetTaskStatsAsync(string name, DateTimeOffset? since = null, string? ns = null, CancellationToken ct = default) =>
        GetAsync(WithSince(TaskPath(name, ns, "/stats"), since), ChasJsonContext.Default.StatsSeries, ct);

    public Task<StatsSeries> GetNodeStatsAsync(string name, DateTimeOffset? since = null, CancellationToken ct = default) =>
        GetAsync(WithSince($"api/v1/nodes/{Segment(name)}/stats", since), ChasJsonContext.Default.StatsSeries, ct);

    /// <summary>The latest sample of every node; a node that did not answer has an <c>error</c> and no sample.</summary>
    public Task<IReadOnlyList<StatsSeries>> ListNodeStatsAsync(CancellationToken ct = default) =>
        GetAsync("api/v1/stats/nodes", ChasJsonContext.Default.IReadOnlyListStatsSeries, ct);

    /// <summary>The latest sample of every running task of <see cref="Namespace"/> (null: every namespace the caller can see).</summary>
    public Task<IReadOnlyList<StatsSeries>> ListTaskStatsAsync(CancellationToken ct = default) =>
        GetAsync(WithNamespace("api/v1/stats/tasks", Namespace), ChasJsonContext.Default.IReadOnlyListStatsSeries, ct);

    private static string WithSince(string path, DateTimeOffset? since) =>
        since is { } at ? WithQuery(path, "since=" + Uri.EscapeDataString(at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture))) : path;
}
