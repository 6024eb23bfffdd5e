namespace Chas.Runtime.Docker;

/// <summary>Where the Docker engine listens. Bound from configuration by the host; defaults suit a stock Linux node.</summary>
public sealed class DockerRuntimeOptions
{
    public const string DefaultSocketEndpoint = "unix:///var/run/docker.sock";

    /// <summary>
    /// Engine API address, e.g. <c>unix:///var/run/docker.sock</c> or <c>tcp://10.0.0.5:2375</c>.
    /// Defaults to <c>DOCKER_HOST</c> when set, so CHaS finds the same engine the docker tooling would.
    /// </summary>
    public string Endpoint { get; set; } = DefaultEndpoint();

    public static string DefaultEndpoint() =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } dockerHost ? dockerHost : DefaultSocketEndpoint;
}
