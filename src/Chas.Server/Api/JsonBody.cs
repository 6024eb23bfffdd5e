using System.Text.Json;
using Chas.Contracts;
using Microsoft.AspNetCore.Http;

namespace Chas.Server.Api;

/// <summary>
/// Reads a JSON body ourselves instead of through parameter binding, so that malformed JSON and
/// wrongly typed fields come back as a problem naming the offending field (from the reader's path).
/// </summary>
internal static class JsonBody
{
    /// <summary>Reads a request body with <see cref="ChasJson.Input"/>: declared defaults for what it leaves out, nulls and strings-for-numbers refused.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request) where T : class
    {
        if (request.ContentLength is 0 && request.Headers.TransferEncoding.Count == 0)
            return (null, Problems.Field("body", "a JSON body is required"));
        if (request.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
            return (null, Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, detail: $"expected application/json, got '{contentType}'"));
        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, ChasJson.InputTypeInfo<T>(), request.HttpContext.RequestAborted);
            return value is null ? (null, Problems.Field("body", "must be a JSON object, not null")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.Field(FieldOf(ex.Path), Describe(ex)));
        }
        catch (BadHttpRequestException ex)
        {
            return (null, Results.Problem(statusCode: ex.StatusCode, detail: ex.Message));
        }
        catch (NotSupportedException ex)
        {
            return (null, Problems.Field("body", ex.Message));
        }
    }

    /// <summary>"$.ports[0].containerPort" → "ports[0].containerPort"; "$" → "body".</summary>
    private static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "body";
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string Describe(JsonException ex)
    {
        var message = ex.Message;
        if (message.Contains("could not be mapped", StringComparison.Ordinal)) return "is not a known field";
        if (message.Contains("could not be converted", StringComparison.Ordinal)) return "has the wrong type";
        if (ex.InnerException is FormatException or OverflowException) return "has the wrong type or is out of range";
        // The reader's own message ("'x' is an invalid start of a value. LineNumber: 0 | ...") is clear enough.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return "is not valid JSON: " + (cut > 0 ? message[..cut] : message);
    }
}
