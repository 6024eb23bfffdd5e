using System.Net;
using Chas.Client.Informers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chas.Client.Failover;

/// <summary>
/// Sends each request to the server in use and, when it is dead (no connection, a connect timeout) or answers
/// 503, moves to the next one of <see cref="ServerEndpoints"/> and tries again. It stays on the server that
/// answered (sticky), so steady traffic does not bounce between servers. A request is sent again only where that
/// cannot do anything twice: reads (GET, HEAD, OPTIONS, and so watches) always; writes only when no connection
/// was made, so nothing reached the server. A write the server received and then failed (a 503, a reset, a
/// response cut short) is the caller's to judge.
/// </summary>
public sealed partial class ServerFailoverHandler : DelegatingHandler
{
    private readonly ServerEndpoints _servers;
    private readonly ServerFailoverOptions _options;
    private readonly ILogger _logger;
    private int _current;

    public ServerFailoverHandler(ServerEndpoints servers, HttpMessageHandler inner, ServerFailoverOptions? options = null, ILogger? logger = null)
        : base(inner)
    {
        _servers = servers;
        _options = options ?? new ServerFailoverOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Rounds, 1);
        _logger = logger ?? NullLogger.Instance;
    }

    public ServerEndpoints Servers => _servers;

    /// <summary>The server requests go to now.</summary>
    public Uri Current => _servers[Volatile.Read(ref _current)];

    /// <summary>The handler for a client of <paramref name="servers"/>: <paramref name="inner"/> (else a new one) with a connect timeout.</summary>
    public static ServerFailoverHandler Create(ServerEndpoints servers, HttpMessageHandler? inner, ServerFailoverOptions? options = null, ILogger? logger = null)
    {
        options ??= new ServerFailoverOptions();
        inner ??= new SocketsHttpHandler();
        // A handler not used yet takes settings; a black-holed server must not hold a request for minutes.
        if (inner is SocketsHttpHandler sockets && sockets.ConnectTimeout == Timeout.InfiniteTimeSpan)
            sockets.ConnectTimeout = options.ConnectTimeout;
        return new ServerFailoverHandler(servers, inner, options, logger);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var address = request.RequestUri;
        var resolvedAgainst = address is { IsAbsoluteUri: true } ? _servers.IndexOf(address) : -1;
        // A request for somewhere else entirely (an absolute URL of another host) is none of ours.
        if (resolvedAgainst < 0 || _servers.Count == 1) return await base.SendAsync(request, cancellationToken);
        var relative = address!.AbsoluteUri[_servers[resolvedAgainst].AbsoluteUri.Length..];
        var repeatable = IsRepeatable(request.Method);
        var backoff = new RetryBackoff(_options.InitialBackoff, _options.MaxBackoff, _options.Jitter);

        for (var round = 1; ; round++)
        {
            var start = Volatile.Read(ref _current);
            for (var attempt = 0; attempt < _servers.Count; attempt++)
            {
                var index = (start + attempt) % _servers.Count;
                var last = round == _options.Rounds && attempt == _servers.Count - 1;
                request.RequestUri = new Uri(_servers[index].AbsoluteUri + relative);
                HttpResponseMessage response;
                // Writes are not timed: one the server received may still be acting, and must not go to another.
                using var unanswered = repeatable ? new CancellationTokenSource(_options.ResponseTimeout, _options.Time) : null;
                using var timed = unanswered is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, unanswered.Token);
                try
                {
                    response = await base.SendAsync(request, timed?.Token ?? cancellationToken);
                }
                catch (OperationCanceledException) when (unanswered is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
                {
                    var reason = $"no answer within {_options.ResponseTimeout.TotalSeconds:0.#} s";
                    MoveOn(index, reason);
                    if (last) throw new HttpRequestException(HttpRequestError.Unknown, $"{_servers[index]} gave {reason}");
                    continue;
                }
                catch (Exception ex) when (!last && !cancellationToken.IsCancellationRequested && FailureOf(ex, repeatable) is { } failure)
                {
                    MoveOn(index, failure);
                    continue;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && FailureOf(ex, repeatable) is not null)
                {
                    MoveOn(index, ex.Message);
                    throw;
                }
                // The headers came: from here on the body streams for as long as it lasts.
                unanswered?.CancelAfter(Timeout.InfiniteTimeSpan);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && repeatable && !last)
                {
                    response.Dispose();
                    MoveOn(index, "503 Service Unavailable");
                    continue;
                }
                StayOn(index);
                return response;
            }
            LogAllDown(_logger, _servers.ToString(), round);
            await backoff.DelayAsync(_options.Time, cancellationToken);
        }
    }

    private static bool IsRepeatable(HttpMethod method) =>
        method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options;

    /// <summary>Why <paramref name="ex"/> means another server should be tried, or null when it does not.</summary>
    private static string? FailureOf(Exception ex, bool repeatable) => ex switch
    {
        // No connection was made: nothing was sent, a write is as safe to repeat as a read.
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => ex.Message,
        OperationCanceledException { InnerException: TimeoutException } => "connect timeout",
        // The connection broke after the request went out: the server may have acted on it.
        HttpRequestException { StatusCode: null, HttpRequestError: not HttpRequestError.SecureConnectionError } when repeatable => ex.Message,
        IOException when repeatable => ex.Message,
        _ => null,
    };

    private void MoveOn(int failed, string reason)
    {
        var next = (failed + 1) % _servers.Count;
        // Only the first of many requests that saw the same server fail moves the client; the rest follow it.
        if (Interlocked.CompareExchange(ref _current, next, failed) == failed)
            LogMoved(_logger, _servers[failed].ToString(), _servers[next].ToString(), reason);
    }

    private void StayOn(int index)
    {
        var previous = Interlocked.Exchange(ref _current, index);
        if (previous != index) LogSettled(_logger, _servers[index].ToString());
    }

    [LoggerMessage(EventId = 7000, Level = LogLevel.Warning, Message = "Server {Failed} failed ({Reason}); moving to {Next}")]
    private static partial void LogMoved(ILogger logger, string failed, string next, string reason);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Using server {Server}")]
    private static partial void LogSettled(ILogger logger, string server);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "No server of {Servers} answered (round {Round}); trying again")]
    private static partial void LogAllDown(ILogger logger, string servers, int round);
}
