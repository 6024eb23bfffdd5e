using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Chas.Ingress.Traffic;

/// <summary>
/// Requests forwarded to each backend, by the destination address YARP was given
/// (`http://address:port/`). The proxy's metrics step counts each request it saw forwarded: one
/// dictionary lookup and an interlocked add. (Listening to .NET's `http.client.request.duration`
/// instead made every HTTP client call of the process build and record its tags, and counted an
/// in-process agent's probes as traffic.)
/// </summary>
internal sealed class BackendRequestCounter
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _counts = new(StringComparer.Ordinal);

    public void Forwarded(string destinationAddress) =>
        Interlocked.Increment(ref _counts.GetOrAdd(destinationAddress, static _ => new StrongBox<long>()).Value);

    /// <summary>Requests forwarded to <paramref name="destinationAddress"/> since this ingress started.</summary>
    public long RequestsTo(string destinationAddress) =>
        _counts.TryGetValue(destinationAddress, out var count) ? Interlocked.Read(ref count.Value) : 0;
}
