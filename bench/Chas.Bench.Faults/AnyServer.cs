using System.Collections.Concurrent;
using System.Net;
using Chas.Client;

namespace Chas.Bench.Faults;

/// <summary>
/// Calls the API on whichever live server answers, as a client given `--server a,b,c` does: a server that refuses
/// the connection, times out or answers 5xx (503 while the store is away) is skipped for the next. One
/// <see cref="ChasClient"/> per server URL and token.
/// </summary>
internal sealed class AnyServer(Func<IReadOnlyList<Uri>> servers, string token) : IDisposable
{
    private readonly ConcurrentDictionary<Uri, ChasClient> _clients = new();
    private int _next;

    /// <summary>One attempt on one live server (round robin); throws what that attempt threw.</summary>
    public async Task<T> OnceAsync<T>(Func<ChasClient, Task<T>> call)
    {
        var live = servers();
        if (live.Count == 0) throw new HttpRequestException("no server is running");
        var server = live[(int)((uint)Interlocked.Increment(ref _next) % live.Count)];
        return await call(_clients.GetOrAdd(server, url => new ChasClient(url, token)));
    }

    /// <summary>Attempts until one succeeds or <paramref name="deadline"/> passes; what the last attempt threw, then.</summary>
    public async Task<T> UntilAnsweredAsync<T>(Func<ChasClient, Task<T>> call, TimeSpan deadline, CancellationToken ct)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                return await OnceAsync(call);
            }
            catch (Exception ex) when (IsUnavailable(ex) && DateTime.UtcNow < until)
            {
                await Task.Delay(20, ct);
            }
        }
    }

    /// <summary>The server or its store is away: the same call may go elsewhere or later.</summary>
    public static bool IsUnavailable(Exception ex) => ex switch
    {
        ChasApiException api => (int)api.Status >= 500 || api.Status == HttpStatusCode.TooManyRequests,
        HttpRequestException or TaskCanceledException or IOException => true,
        _ => false,
    };

    public void Dispose()
    {
        foreach (var client in _clients.Values) client.Dispose();
    }
}
