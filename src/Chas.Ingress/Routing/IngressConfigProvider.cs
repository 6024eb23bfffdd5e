using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace Chas.Ingress.Routing;

/// <summary>
/// Hands YARP the current <see cref="RouteTable"/>. Publishing a new one fires the previous
/// configuration's change token, and YARP swaps routes and clusters in place (destination health
/// and in-flight requests survive, keyed by destination id).
/// </summary>
internal sealed class IngressConfigProvider : IProxyConfigProvider
{
    private volatile Snapshot _current;

    public IngressConfigProvider(IngressOptions options)
    {
        // Until the first list arrives only the gateway (when on) is routed.
        _current = new Snapshot(RouteTableBuilder.Build([], options));
    }

    public RouteTable Current => _current.Table;

    public IProxyConfig GetConfig() => _current;

    public void Publish(RouteTable table)
    {
        var previous = _current;
        _current = new Snapshot(table);
        previous.Expire();
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A source with no timer or links holds nothing to release; YARP may still read an old token.")]
    private sealed class Snapshot : IProxyConfig
    {
        private readonly CancellationTokenSource _expired = new();

        public Snapshot(RouteTable table)
        {
            Table = table;
            ChangeToken = new CancellationChangeToken(_expired.Token);
        }

        public RouteTable Table { get; }
        public IReadOnlyList<RouteConfig> Routes => Table.Routes;
        public IReadOnlyList<ClusterConfig> Clusters => Table.Clusters;
        public IChangeToken ChangeToken { get; }

        public void Expire() => _expired.Cancel();
    }
}
