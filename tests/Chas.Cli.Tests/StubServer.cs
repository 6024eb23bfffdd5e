using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Chas.Contracts;

namespace Chas.Cli.Tests;

/// <summary>One request as the stub saw it.</summary>
internal sealed record SeenRequest(HttpMethod Method, string PathAndQuery, string? Bearer, string? Body);

/// <summary>
/// A fake CHaS server behind an <see cref="HttpMessageHandler"/>: answers by "METHOD /path" (query
/// ignored), records every request, and answers 404 problem details for anything it does not know.
/// </summary>
internal sealed class StubServer
{
    private readonly Dictionary<string, Func<SeenRequest, HttpResponseMessage>> _routes = new(StringComparer.Ordinal);

    public List<SeenRequest> Requests { get; } = [];

    /// <summary>What the handler throws instead of answering (an unreachable server).</summary>
    public Exception? Failure { get; set; }

    public StubServer On(string methodAndPath, Func<SeenRequest, HttpResponseMessage> answer)
    {
        _routes[methodAndPath] = answer;
        return this;
    }

    public StubServer On<T>(string methodAndPath, T body, HttpStatusCode status = HttpStatusCode.OK) =>
        On(methodAndPath, _ => Json(body, status));

    public HttpMessageHandler Handler() => new StubHandler(this);

    public static HttpResponseMessage Json<T>(T body, HttpStatusCode status = HttpStatusCode.OK) => new(status)
    {
        Content = new StringContent(JsonSerializer.Serialize(body, (JsonTypeInfo<T>)ChasJsonContext.Default.GetTypeInfo(typeof(T))!), Encoding.UTF8, "application/json"),
    };

    public static HttpResponseMessage Problem(HttpStatusCode status, string title, string? detail = null)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object?> { ["type"] = "about:blank", ["title"] = title, ["status"] = (int)status, ["detail"] = detail });
        return new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/problem+json") };
    }

    private sealed class StubHandler(StubServer server) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            var seen = new SeenRequest(request.Method, request.RequestUri!.PathAndQuery, request.Headers.Authorization?.Parameter, body);
            lock (server.Requests) server.Requests.Add(seen);
            if (server.Failure is { } failure) throw failure;
            var key = $"{request.Method} {request.RequestUri.AbsolutePath}";
            return server._routes.TryGetValue(key, out var answer)
                ? answer(seen)
                : Problem(HttpStatusCode.NotFound, "Not Found", $"nothing at {key}");
        }
    }
}
