using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Chas.Contracts;

namespace Chas.Client;

public sealed partial class ChasClient
{
    // ---- events ----

    /// <summary>
    /// Events oldest first, with the revision to watch from. <paramref name="name"/>: one object's
    /// (a deployment's also gives its instances'); <paramref name="kind"/>: task, node or deployment.
    /// </summary>
    public Task<ResourceList<EventResource>> ListEventsAsync(string? name = null, string? kind = null, CancellationToken ct = default)
    {
        var path = WithNamespace("api/v1/events", Namespace);
        if (name is not null) path = WithQuery(path, $"name={Uri.EscapeDataString(name)}");
        if (kind is not null) path = WithQuery(path, $"kind={Uri.EscapeDataString(kind)}");
        return GetAsync(path, ChasJsonContext.Default.ResourceListEventResource, ct);
    }

    /// <summary>Events added or changed (a repeat: the count grew) after <paramref name="since"/>, in this client's namespace (null: all it can see).</summary>
    public async IAsyncEnumerable<WatchEvent<EventResource>> WatchEventsAsync(long since, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var path = WithNamespace($"api/v1/watch?kind=events&since={since}", Namespace);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccessAsync(response, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        await foreach (var message in ServerSentEvents.ReadAsync(stream, ct))
        {
            if (message.Event == "error") throw new IOException($"the server ended the watch: {message.Data}");
            var ev = JsonSerializer.Deserialize(message.Data, ChasJsonContext.Default.WatchEventEventResource);
            if (ev is not null) yield return ev;
        }
    }

    /// <summary>An agent reports what only it sees (Pulled, BackOff…) about a task bound to its node.</summary>
    public async Task ReportEventAsync(EventResource ev, CancellationToken ct = default)
    {
        using var response = await _http.PostAsJsonAsync(WithNamespace("api/v1/events", ev.Namespace), ev, ChasJsonContext.Default.EventResource, ct);
        await EnsureSuccessAsync(response, ct);
    }
}
