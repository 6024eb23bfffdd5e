using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Chas.Runtime.Docker;

/// <summary>Turns the engine's failures into messages a user can act on.</summary>
internal static class EngineErrors
{
    /// <summary>
    /// The engine's own sentence, e.g. "No such image: foo:latest". Docker.DotNet's exception message wraps it in
    /// "Docker API responded with status code=…, response={"message":…}", which is noise in a task's error.
    /// </summary>
    public static string MessageOf(DockerApiException exception)
    {
        var body = exception.ResponseBody?.Trim();
        if (string.IsNullOrEmpty(body))
        {
            return $"the engine answered {(int)exception.StatusCode} {exception.StatusCode}";
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("message", out var message)
                && message.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy in between, an old engine): the raw body is the best we have.
        }

        return body;
    }

    /// <summary>Failures of the transport rather than of the request: the engine is down or the socket is wrong.</summary>
    public static bool IsUnreachable(Exception exception) =>
        exception is HttpRequestException or SocketException or IOException or TimeoutException;

    public static string UnreachableMessage(string endpoint, Exception exception) =>
        $"the Docker engine at {endpoint} is not reachable ({exception.Message})";

    /// <summary>
    /// Runs one engine call, translating its failures into <see cref="RuntimeException"/>s that say what was
    /// attempted (<paramref name="action"/>) and carry the engine's own sentence.
    /// </summary>
    public static async Task<T> CallAsync<T>(string endpoint, string action, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (DockerApiException e)
        {
            throw new RuntimeException($"{action}: {MessageOf(e)}", e);
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            throw new RuntimeException($"{action}: {UnreachableMessage(endpoint, e)}", e);
        }
    }
}

/// <summary>
/// Remembers the first error of a streamed engine response (pull, import). Those endpoints answer 200 and then
/// report failures inside the JSON message stream, so the HTTP status alone says nothing.
/// Reports arrive synchronously on the reading thread, which is why this is not a <see cref="Progress{T}"/>.
/// </summary>
internal sealed class StreamedErrorRecorder : IProgress<JSONMessage>
{
    public string? FirstError { get; private set; }

    public void Report(JSONMessage value)
    {
        var error = value.Error?.Message is { Length: > 0 } message ? message : value.ErrorMessage;
        if (FirstError is null && !string.IsNullOrEmpty(error))
        {
            FirstError = error;
        }
    }
}
