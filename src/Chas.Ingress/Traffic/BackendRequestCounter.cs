using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Chas.Ingress.Traffic;

/// <summary>
/// Requests per backend (`address:port`), counted without any code of ours on the proxy's request path:
/// .NET's own HTTP client instrumentation (`http.client.request.duration`, which the forwarder's
/// SocketsHttpHandler records once someone listens) tagged with the server's address and port. The
/// listener is process-wide, so other clients of the same process calling those endpoints (an
/// in-process agent's HTTP probes under `chas dev`) count too; the reporter only reads the endpoints
/// it routes to. Counters are lock-free: one dictionary lookup and an interlocked add per measurement.
/// </summary>
internal sealed class BackendRequestCounter : IDisposable
{
    private const string HttpMeter = "System.Net.Http";
    private const string RequestDuration = "http.client.request.duration";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Address, int Port), StrongBox<long>> _counts = new();

    public BackendRequestCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == HttpMeter && instrument.Name == RequestDuration) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>(OnRequestMeasured);
        _listener.Start();
    }

    /// <summary>Requests answered by <paramref name="address"/>:<paramref name="port"/> since this ingress started.</summary>
    public long RequestsTo(string address, int port) =>
        _counts.TryGetValue((address, port), out var count) ? Interlocked.Read(ref count.Value) : 0;

    private void OnRequestMeasured(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? address = null;
        var port = 0;
        foreach (var tag in tags)
        {
            if (tag.Key == "server.address") address = tag.Value as string;
            else if (tag.Key == "server.port" && tag.Value is int p) port = p;
        }
        if (address is null) return;
        Interlocked.Increment(ref _counts.GetOrAdd((address, port), static _ => new StrongBox<long>()).Value);
    }

    public void Dispose() => _listener.Dispose();
}
