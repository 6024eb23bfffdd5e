using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Chas.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Agent;

/// <summary>
/// The agent's own small API, called only by the server (which relays to clients): logs of the
/// containers this agent runs. Authenticated with the cluster's node token.
/// </summary>
internal static class AgentApi
{
    public static IEndpointRouteBuilder MapAgentApi(this IEndpointRouteBuilder app, NodeCredentialHolder credential)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        var v1 = app.MapGroup("/v1").AddEndpointFilter(async (context, next) =>
            credential.Credential is { } expected && IsAuthorized(context.HttpContext.Request, expected)
                ? await next(context)
                : Results.Problem(statusCode: 401, detail: "the node's credential is required: only its server calls this API"));
        v1.MapGet("/containers/{id}/logs", StreamLogsAsync);
        v1.MapAgentStreams();
        Stats.AgentStatsApi.Map(app, v1);
        return app;
    }

    private static async Task<IResult> StreamLogsAsync(string id, HttpContext context, IContainerRuntime runtime, TaskSupervisor supervisor,
        bool follow = false, int? tail = null, bool timestamps = false, DateTimeOffset? since = null, string? stream = null)
    {
        var ct = context.RequestAborted;
        LogStream? only = stream switch { "stdout" => LogStream.Stdout, "stderr" => LogStream.Stderr, _ => null };
        if (!await supervisor.OwnsContainerAsync(id, ct))
            return Results.Problem(statusCode: 404, detail: $"no container '{id}' managed by this agent");

        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.StartAsync(ct);
        var options = new LogOptions { Follow = follow, Tail = tail, Timestamps = timestamps, Since = since };
        try
        {
            await foreach (var line in runtime.ReadLogsAsync(id, options, ct))
            {
                if (only is { } wanted && line.Stream != wanted) continue;
                var text = timestamps && line.Timestamp is { } at
                    ? at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) + " " + line.Text
                    : line.Text;
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text + "\n"), ct);
                if (follow) await context.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        return Results.Empty;
    }

    private static bool IsAuthorized(HttpRequest request, string token)
    {
        string? header = request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[7..].Trim()), Encoding.UTF8.GetBytes(token));
    }
}
