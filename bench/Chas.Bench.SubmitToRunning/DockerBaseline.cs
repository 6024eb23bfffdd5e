using Docker.DotNet;
using Docker.DotNet.Models;

namespace Chas.Bench.SubmitToRunning;

/// <summary>
/// One bare-engine sample: <see cref="Total"/> from before the create call until the start call returned, split
/// into the engine's own created → started span and what lies before and after it.
/// </summary>
internal sealed record BaselineSample(TimeSpan Total, TimeSpan BeforeEngine, TimeSpan Engine, TimeSpan AfterEngine);

/// <summary>
/// The yardstick: what the Engine API alone needs to get the same container running, measured with the same
/// client library the agent uses (Docker.DotNet over the engine's socket), in the same run, on the same engine.
/// </summary>
/// <remarks>
/// Fairness: every container stays running until the phase ends, and only then are all of them removed, untimed.
/// CHaS keeps its tasks running too (`sleep 30` outlives the phase and they are deleted only after the last
/// sample), so its n-th start happens beside n-1 running containers of its own. Removing each baseline container
/// right after its sample would time Docker against an empty engine every time, while network and cgroup setup
/// can get dearer as containers accumulate, and would put the engine's removal work between the baseline's samples
/// but not between CHaS's — both of which skew the comparison.
/// </remarks>
internal sealed class DockerBaseline(IDockerClient docker, string runId, TimeProvider time)
{
    /// <summary>Marks the baseline's containers so that cleanup finds every one, even after a crash mid-run.</summary>
    public const string RunLabel = "io.chas.bench.run";

    private int _created;

    /// <summary>Creates and starts one container, timing both calls together.</summary>
    public async Task<BaselineSample> SampleAsync(CancellationToken ct)
    {
        // The same shape of request as the agent's DockerModelMapper sends: name, command, labels, no limits, no ports.
        var parameters = new CreateContainerParameters
        {
            Name = $"chas-bench-{runId}-docker-{_created++:D3}",
            Image = BenchOptions.Image,
            Cmd = [.. BenchOptions.Command],
            Env = [],
            Labels = new Dictionary<string, string> { [RunLabel] = runId },
            ExposedPorts = new Dictionary<string, EmptyStruct>(),
            HostConfig = new HostConfig { Memory = 0, NanoCPUs = 0, PortBindings = new Dictionary<string, IList<PortBinding>>() },
        };
        var wallStart = time.GetUtcNow();
        var t0 = time.GetTimestamp();
        var created = await docker.Containers.CreateContainerAsync(parameters, ct);
        await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), ct);
        var total = time.GetElapsedTime(t0);

        var engine = await EngineTimes.InspectAsync(docker, created.ID, ct);
        return new BaselineSample(total, engine.Created - wallStart, engine.CreatedToStarted, wallStart + total - engine.Started);
    }

    public Task RemoveAllAsync(CancellationToken ct) => RemoveLabelledAsync(docker, RunLabel, runId, ct);

    /// <summary>Force-removes every container carrying label <paramref name="key"/>=<paramref name="value"/>.</summary>
    public static async Task<int> RemoveLabelledAsync(IDockerClient docker, string key, string value, CancellationToken ct)
    {
        var containers = await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{key}={value}"] = true } },
        }, ct);
        foreach (var container in containers)
        {
            try
            {
                await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, ct);
            }
            catch (DockerContainerNotFoundException)
            {
                // Gone already.
            }
            catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                // Someone else's removal is under way (the agent's, for a deleted task).
            }
        }
        return containers.Count;
    }
}
