using Chas.Client.Failover;
using Chas.Contracts;

namespace Chas.Ingress;

/// <summary>How `chas ingress` runs: where the API server is, where it listens, and its optional extras.</summary>
public sealed record IngressOptions
{
    /// <summary>The CHaS API server whose deployments, tasks and nodes are watched.</summary>
    public required Uri Server { get; init; }
    /// <summary>
    /// Further servers of the same cluster (one database): the watch moves to one of them when the one in use dies,
    /// and the gateway balances the API over all of them, health-checking each.
    /// </summary>
    public IReadOnlyList<Uri> OtherServers { get; init; } = [];
    /// <summary><see cref="Server"/> first, then <see cref="OtherServers"/>.</summary>
    public ServerEndpoints AllServers => new([Server, .. OtherServers]);
    /// <summary>A token allowed to list and watch (the admin token or the node join token).</summary>
    public required string Token { get; init; }
    /// <summary>PEM of the CA the server's certificate must chain to (a server with its own CA); null: system trust.</summary>
    public string? CertificateAuthorityPem { get; init; }

    public string ListenAddress { get; init; } = "0.0.0.0";
    /// <summary>The one port traffic arrives on (HTTPS when a certificate is given); 0 picks a free one.</summary>
    public int Port { get; init; } = 8000;
    /// <summary>Deployments are reachable at `&lt;name&gt;.&lt;namespace&gt;.&lt;domain&gt;`.</summary>
    public string Domain { get; init; } = ServiceCatalog.DefaultDomain;

    /// <summary>PEM certificate and key; when both are given the ingress serves HTTPS (TLS ends here).</summary>
    public string? TlsCertPath { get; init; }
    public string? TlsKeyPath { get; init; }

    /// <summary>Also forward `/api/`, `/openapi/` and `/docs` to the API server and `/ui/` to its dashboard, on any host no deployment claims.</summary>
    public bool Gateway { get; init; }
    /// <summary>
    /// With several servers, the gateway asks each for `/readyz` this often; two failures in a row take it out
    /// until it answers again (passive health takes it out sooner under traffic).
    /// </summary>
    public TimeSpan GatewayHealthInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Where the server serves its dashboard; gateway requests for `/ui/...` go to `&lt;DashboardPath&gt;/...`.</summary>
    public string DashboardPath { get; init; } = "/ui";

    /// <summary>Requests per minute allowed per client IP address (fixed window); 0 turns limiting off.</summary>
    public int RateLimitPerMinute { get; init; }
    /// <summary>One log line per request.</summary>
    public bool RequestLogging { get; init; }

    /// <summary>Passive health: this many failed requests in a row (transport error or 5xx) take a destination out...</summary>
    public int PassiveHealthFailures { get; init; } = 3;
    /// <summary>...for this long, after which it gets traffic again.</summary>
    public TimeSpan PassiveHealthReactivation { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>Changes seen on the watch are turned into routes at most this often (bursts coalesce).</summary>
    public TimeSpan PublishInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    public bool UsesTls => !string.IsNullOrEmpty(TlsCertPath) && !string.IsNullOrEmpty(TlsKeyPath);
}
