using Chas.Contracts;

namespace Chas.Server.Hosting;

public sealed record ServerOptions
{
    /// <summary>Where the database and secrets live.</summary>
    public required string DataDir { get; init; }
    /// <summary>
    /// The store: null for the embedded SQLite file in <see cref="DataDir"/> (one server); a PostgreSQL connection
    /// string (<c>postgres://user:password@host:5432/chas</c>, or Npgsql's key=value form) for several servers on one
    /// database, each with its own data directory.
    /// </summary>
    public string? Store { get; init; }
    /// <summary>Kestrel URLs, e.g. "http://0.0.0.0:8080".</summary>
    public IReadOnlyList<string> Urls { get; init; } = ["http://0.0.0.0:8080"];
    /// <summary>A node not heard from for this long becomes notready and its tasks are lost.</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(6);
    /// <summary>A task no node can take fails after this long, with the scheduler's reason.</summary>
    public TimeSpan PendingTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>
    /// How long the leader's lease in the store lasts without renewal: when the leader dies without releasing it,
    /// another server takes over after at most this long. Also how long a leader that cannot renew keeps acting.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>How often the leader renews its lease, and how often the other servers try to take it.</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Largest accepted request body.</summary>
    public long MaxRequestBodyBytes { get; init; } = 1 << 20;

    /// <summary>How https:// URLs get their certificate; None serves plain HTTP.</summary>
    public TlsMode TlsMode { get; init; } = TlsMode.None;
    /// <summary>With <see cref="TlsMode.Files"/>: PEM certificate (leaf first, then any chain) and its PEM key.</summary>
    public string? TlsCertFile { get; init; }
    public string? TlsKeyFile { get; init; }
    /// <summary>With <see cref="TlsMode.SelfSigned"/>: host names and IP addresses the server certificate also covers.</summary>
    public IReadOnlyList<string> TlsExtraNames { get; init; } = [];

    /// <summary>Lifetime of a sign-in's JWT; the CLI refreshes it silently.</summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>Lifetime of a sign-in session (its refresh token).</summary>
    public TimeSpan RefreshTokenLifetime { get; init; } = TimeSpan.FromDays(7);
    /// <summary>API requests per second each user (or, unauthenticated, each client IP) may send; bursts up to twice that. 0: no limit.</summary>
    public int ApiRequestsPerSecond { get; init; } = 50;
    /// <summary>Sign-in attempts per minute per client IP and per user name, so that guessing passwords is slow.</summary>
    public int SignInAttemptsPerMinute { get; init; } = 10;
    /// <summary>
    /// The domain the ingresses serve deployments under (`&lt;name&gt;.&lt;namespace&gt;.&lt;domain&gt;`): users may route
    /// only names under their namespace's part of it, and the discovery API computes hosts with it.
    /// </summary>
    public string Domain { get; init; } = ServiceCatalog.DefaultDomain;
    /// <summary>
    /// Addresses or CIDR ranges of proxies (ingresses in gateway mode) whose X-Forwarded-For and -Proto are believed,
    /// besides loopback: behind one, every client would otherwise share the proxy's address for the sign-in throttle,
    /// the anonymous rate limit and the audit log.
    /// </summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];

    /// <summary>One <see cref="TrustedProxies"/> entry: a CIDR range, or an address as a range of one.</summary>
    public static bool TryParseProxy(string text, out System.Net.IPNetwork network)
    {
        if (System.Net.IPNetwork.TryParse(text, out network)) return true;
        if (!System.Net.IPAddress.TryParse(text, out var address)) return false;
        network = new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32);
        return true;
    }
    /// <summary>Audit entries kept; older ones are dropped.</summary>
    public int AuditHistory { get; init; } = 10_000;
    /// <summary>Events (Scheduled, Started, NodeNotReady…) kept; older ones are dropped.</summary>
    public int EventHistory { get; init; } = 5000;

    public string DatabasePath => Path.Combine(DataDir, "chas.db");
}

public enum TlsMode
{
    /// <summary>Plain HTTP.</summary>
    None,
    /// <summary>A CA of the server's own, made at first start in `&lt;data-dir&gt;/tls`, signs the server certificate (as k3s does).</summary>
    SelfSigned,
    /// <summary>A certificate and key from the given PEM files.</summary>
    Files,
}
