using System.Net;
using System.Runtime.CompilerServices;
using Chas.Runtime.Docker.Images;
using Chas.Runtime.Docker.Logs;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Chas.Runtime.Docker;

/// <summary>
/// <see cref="IContainerRuntime"/> over the Docker Engine API (Docker.DotNet on the engine's socket), never the CLI.
/// Every engine failure surfaces as a <see cref="RuntimeException"/> carrying the engine's own message.
/// </summary>
public sealed class DockerContainerRuntime : IContainerRuntime, IDisposable
{
    private readonly DockerClientConfiguration _configuration;
    private readonly DockerClient _client;
    private readonly string _endpoint;
    private readonly ILogger _logger;

    public DockerContainerRuntime(IOptions<DockerRuntimeOptions> options, ILogger<DockerContainerRuntime>? logger = null)
    {
        _endpoint = options.Value.Endpoint;
        _configuration = new DockerClientConfiguration(new Uri(_endpoint));
        _client = _configuration.CreateClient();
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public async Task<RuntimeInfo> GetInfoAsync(CancellationToken cancellationToken)
    {
        var info = await CallEngineAsync("reading engine info", () => _client.System.GetSystemInfoAsync(cancellationToken));
        return new RuntimeInfo("docker", info.ServerVersion ?? "", (int)info.NCPU, info.MemTotal);
    }

    public async Task EnsureImageAsync(string image, CancellationToken cancellationToken)
    {
        if (await ImageExistsAsync(image, cancellationToken))
        {
            return;
        }

        var (repository, tag) = ImageReference.Split(image);
        var readable = ImageReference.Normalize(image);
        DockerRuntimeLog.PullingImage(_logger, readable);
        var errors = new StreamedErrorRecorder();
        string? failure;
        try
        {
            await _client.Images.CreateImageAsync(
                new ImagesCreateParameters { FromImage = repository, Tag = tag }, null, errors, cancellationToken);
            failure = errors.FirstError;
        }
        catch (DockerApiException e)
        {
            failure = EngineErrors.MessageOf(e);
        }
        catch (Exception e) when (EngineErrors.IsUnreachable(e))
        {
            failure = UnreachableMessage(e);
        }

        // A pull can end "successfully" without the image (an odd registry, a platform mismatch): trust only inspect.
        if (failure is null && !await ImageExistsAsync(image, cancellationToken))
        {
            failure = "the pull finished but the image is still missing";
        }

        if (failure is not null)
        {
            DockerRuntimeLog.PullFailed(_logger, readable, failure);
            throw new RuntimeException($"image '{readable}' is not present on this node and could not be pulled: {failure}");
        }
    }

    public async Task<string> CreateAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        var parameters = DockerModelMapper.ToCreateParameters(spec);
        try
        {
            var created = await CallEngineAsync(
                $"creating container '{spec.Name}'", () => _client.Containers.CreateContainerAsync(parameters, cancellationToken));
            DockerRuntimeLog.ContainerCreated(_logger, spec.Name, created.ID, spec.Image);
            return created.ID;
        }
        catch (RuntimeException e) when (e.InnerException is DockerApiException { StatusCode: HttpStatusCode.Conflict } conflict)
        {
            throw new RuntimeException(
                $"a container named '{spec.Name}' already exists: {EngineErrors.MessageOf(conflict)}", conflict);
        }
    }

    public Task StartAsync(string containerId, CancellationToken cancellationToken) =>
        CallEngineAsync($"starting container {containerId}",
            () => _client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), cancellationToken));

    public async Task<ContainerExit> WaitAsync(string containerId, CancellationToken cancellationToken)
    {
        var exit = await CallEngineAsync($"waiting for container {containerId}",
            () => _client.Containers.WaitContainerAsync(containerId, cancellationToken));

        // The wait answer has only the status code; OOM and the engine's start error live in the container's state.
        // Caveat seen on docker 20.10 with cgroup v1: an OOM kill in the first few hundred milliseconds after start
        // can go unnoticed by containerd, and then OOMKilled stays false and only the exit code 137 remains.
        var state = (await InspectRawAsync(containerId, cancellationToken))?.State;
        var error = exit.Error?.Message is { Length: > 0 } waitError ? waitError
            : state?.Error is { Length: > 0 } stateError ? stateError
            : null;
        return new ContainerExit((int)exit.StatusCode, state?.OOMKilled ?? false, error);
    }

    public Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        var parameters = new ContainerStopParameters
        {
            WaitBeforeKillSeconds = (uint)Math.Ceiling(Math.Max(0, gracePeriod.TotalSeconds)),
        };
        return CallEngineAsync($"stopping container {containerId}", async () =>
        {
            try
            {
                // False means "already stopped" (304), which is what the caller wants anyway.
                await _client.Containers.StopContainerAsync(containerId, parameters, cancellationToken);
            }
            catch (DockerContainerNotFoundException)
            {
                // Gone already: stopped, as far as anyone can tell.
            }
        });
    }

    public Task RemoveAsync(string containerId, bool force, CancellationToken cancellationToken)
    {
        // RemoveVolumes: anonymous volumes belong to this container alone and would otherwise leak.
        var parameters = new ContainerRemoveParameters { Force = force, RemoveVolumes = true };
        return CallEngineAsync($"removing container {containerId}", async () =>
        {
            try
            {
                await _client.Containers.RemoveContainerAsync(containerId, parameters, cancellationToken);
                DockerRuntimeLog.ContainerRemoved(_logger, containerId);
            }
            catch (DockerContainerNotFoundException)
            {
                // Already gone: the goal of the call is met.
            }
            catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict
                && EngineErrors.MessageOf(e).Contains("already in progress", StringComparison.OrdinalIgnoreCase))
            {
                // Another caller's removal is under way; it is going away either way.
            }
        });
    }

    public async Task<ContainerInfo?> InspectAsync(string containerId, CancellationToken cancellationToken) =>
        await InspectRawAsync(containerId, cancellationToken) is { } container ? DockerModelMapper.ToContainerInfo(container) : null;

    public async Task<IReadOnlyList<ContainerInfo>> ListAsync(
        IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        var parameters = new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                // Several label filters combine with AND, which is what "carrying every one of the labels" means.
                ["label"] = labels.ToDictionary(label => $"{label.Key}={label.Value}", _ => true),
            },
        };
        var summaries = await CallEngineAsync("listing containers", () => _client.Containers.ListContainersAsync(parameters, cancellationToken));

        // The list answer lacks exit codes, OOM and start/finish times, which recovery after an agent restart needs.
        var containers = new List<ContainerInfo>(summaries.Count);
        foreach (var summary in summaries)
        {
            if (await InspectAsync(summary.ID, cancellationToken) is { } container)
            {
                containers.Add(container); // else removed between list and inspect
            }
        }

        return containers;
    }

    public async IAsyncEnumerable<LogLine> ReadLogsAsync(
        string containerId, LogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parameters = MultiplexedLogReader.ToParameters(options);
        using var output = await CallEngineAsync($"reading logs of container {containerId}",
            () => _client.Containers.GetContainerLogsAsync(containerId, tty: false, parameters, cancellationToken));
        await foreach (var line in MultiplexedLogReader.ReadLinesAsync(output, options.Timestamps, containerId, cancellationToken))
        {
            yield return line;
        }
    }

    /// <summary>
    /// Imports a root filesystem tar (see <see cref="RootfsImage"/>) as image <paramref name="reference"/>, for nodes
    /// that cannot reach a registry. Returns once the image is inspectable.
    /// </summary>
    public Task ImportRootfsAsync(Stream rootfsTar, string reference, CancellationToken cancellationToken) =>
        RootfsImage.ImportAsync(_client, rootfsTar, reference, cancellationToken);

    public void Dispose()
    {
        _client.Dispose();
        _configuration.Dispose();
    }

    private Task<ContainerInspectResponse?> InspectRawAsync(string containerId, CancellationToken cancellationToken) =>
        CallEngineAsync<ContainerInspectResponse?>($"inspecting container {containerId}", async () =>
        {
            try
            {
                return await _client.Containers.InspectContainerAsync(containerId, cancellationToken);
            }
            catch (DockerContainerNotFoundException)
            {
                return null;
            }
        });

    private Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken) =>
        CallEngineAsync($"inspecting image '{image}'", async () =>
        {
            try
            {
                await _client.Images.InspectImageAsync(image, cancellationToken);
                return true;
            }
            catch (DockerImageNotFoundException)
            {
                return false;
            }
        });

    private async Task CallEngineAsync(string action, Func<Task> call) =>
        await CallEngineAsync(action, async () => { await call(); return true; });

    /// <summary>Runs one engine call, translating its failures into <see cref="RuntimeException"/>s that say what was attempted.</summary>
    private async Task<T> CallEngineAsync<T>(string action, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (DockerApiException e)
        {
            throw new RuntimeException($"{action}: {EngineErrors.MessageOf(e)}", e);
        }
        catch (Exception e) when (EngineErrors.IsUnreachable(e))
        {
            throw new RuntimeException($"{action}: {UnreachableMessage(e)}", e);
        }
    }

    private string UnreachableMessage(Exception e) => $"the Docker engine at {_endpoint} is not reachable ({e.Message})";
}
