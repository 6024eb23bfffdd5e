namespace Chas.Server.Hosting;

public sealed record ServerOptions
{
    /// <summary>Where the database and secrets live.</summary>
    public required string DataDir { get; init; }
    /// <summary>Kestrel URLs, e.g. "http://0.0.0.0:8080".</summary>
    public IReadOnlyList<string> Urls { get; init; } = ["http://0.0.0.0:8080"];
    /// <summary>A node not heard from for this long becomes notready and its tasks are lost.</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(6);
    /// <summary>A task no node can take fails after this long, with the scheduler's reason.</summary>
    public TimeSpan PendingTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Largest accepted request body.</summary>
    public long MaxRequestBodyBytes { get; init; } = 1 << 20;

    public string DatabasePath => Path.Combine(DataDir, "chas.db");
}
