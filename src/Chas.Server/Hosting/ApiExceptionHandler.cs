using Chas.Store;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Chas.Server.Hosting;

/// <summary>
/// Last line of defence: client mistakes that escape an endpoint still become 4xx problems, never a
/// 500; a genuine server fault is logged and answered with a problem that hides the internals.
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
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
            ProblemDetails = { Status = status, Detail = detail },
        });
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Unhandled error in {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
