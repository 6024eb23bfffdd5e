using Chas.Store;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Chas.Server.Hosting;

/// <summary>
/// Last line of defence: client mistakes that escape an endpoint still become 4xx problems, never a
/// 500; a genuine server fault is logged and answered with a problem that hides the internals.
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>The title of the 503 that answers a request while the store's database cannot be reached.</summary>
    public const string DatabaseUnreachableTitle = "The database is unreachable.";

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (StoreUnavailable(exception) is { } unavailable) return await DatabaseUnreachableAsync(context, unavailable);
        var (status, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, bad.Message),
            ConflictException conflict => (StatusCodes.Status409Conflict, conflict.Message),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => (499, "client closed the request"),
            _ => (StatusCodes.Status500InternalServerError, "internal error; see the server log"),
        };
        if (status >= 500) LogUnhandled(logger, context.Request.Method, context.Request.Path, exception);
        if (context.Response.HasStarted) return true;
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = exception is BadHttpRequestException && QueryParameterProblem(detail) is { } field
                ? field
                : new ProblemDetails { Status = status, Detail = detail },
        });
    }

    /// <summary>The store's database is gone (down, restarting, partitioned): nothing was committed, so the client retries.</summary>
    private static StoreUnavailableException? StoreUnavailable(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is StoreUnavailableException unavailable) return unavailable;
        }
        return null;
    }

    private async ValueTask<bool> DatabaseUnreachableAsync(HttpContext context, StoreUnavailableException exception)
    {
        LogStoreUnavailable(logger, context.Request.Method, context.Request.Path, exception.Message);
        if (context.Response.HasStarted) return true;
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = DatabaseUnreachableTitle,
                Detail = "the server cannot reach its database; nothing of this request was committed, or it cannot tell: retry it",
            },
        });
    }

    /// <summary>
    /// Minimal APIs' own binding of a query value (?limit=abc) fails with 'Failed to bind parameter "int? limit" from
    /// "abc".': turned into a validation problem that names the field in the caller's words, like the body's.
    /// </summary>
    private static HttpValidationProblemDetails? QueryParameterProblem(string message)
    {
        var match = FailedBinding().Match(message);
        if (!match.Success) return null;
        var field = match.Groups["name"].Value;
        var value = match.Groups["value"].Value;
        var expected = match.Groups["type"].Value.TrimEnd('?') switch
        {
            "int" or "long" => "a whole number",
            "bool" => "true or false",
            "double" => "a number",
            _ => "a value of another form",
        };
        var text = $"'{(value.Length > 40 ? value[..40] + "…" : value)}' is not {expected}";
        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [text] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is invalid.",
            Detail = $"{field}: {text}",
        };
    }

    [GeneratedRegex("""^Failed to bind parameter "(?<type>\S+) (?<name>\w+)" from "(?<value>.*)"\.$""", RegexOptions.Singleline)]
    private static partial Regex FailedBinding();

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: the store is unavailable: {Reason}")]
    private static partial void LogStoreUnavailable(ILogger logger, string method, string path, string reason);

    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Unhandled error in {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
