using System.Net;
using System.Runtime.CompilerServices;
using Chas.Runtime.Docker.Images;
using Chas.Runtime.Docker.Logs;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using EngineContainerState = Docker.DotNet.Models.ContainerState;

namespace Chas.Runtime.Docker;

/// <summary>
/// <see cref="IContainerRuntime"/> over the Docker Engine API (Docker.DotNet on the engine's socket), never the CLI.
/// Every engine failure surfaces as a <see cref="RuntimeException"/> carrying the engine's own message.
/// </summary>
public sealed class DockerContainerRuntime : IContainerRuntime, IImageImporter, IDisposable
{
    private readonly DockerClientConfiguration _configuration;
    private readonly DockerClient _client;
    private readonly string _endpoint;
    private readonly DockerRuntimeOptions _options;
    private readonly ILogger _logger;
    private readonly ImagePuller _images;
    private readonly DockerExec _exec;
    private readonly TimeProvider _time;
    private readonly DockerStats _stats;
    private readonly MissedOomKillDetector _oomKills = new();

    /// <summary>
    /// Whether the engine reports an "nvidia" runtime; null until the first GET /info. Cached because runtimes change
    /// only when the daemon restarts with a new configuration; <see cref="GetInfoAsync"/> refreshes it.
    /// </summary>
    private volatile StrongBox<bool>? _nvidiaRuntime;

    public DockerContainerRuntime(
        IOptions<DockerRuntimeOptions> options, ILogger<DockerContainerRuntime>? logger = null, TimeProvider? timeProvider = null)
    {
        _options = options.Value;
        _options.Validate(); // a setting of 0 would mean "unlimited" to the engine
        _endpoint = _options.Endpoint;
        _configuration = new DockerClientConfiguration(new Uri(_endpoint));
        _client = _configuration.CreateClient();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _images = new ImagePuller(_client.Images, _endpoint, _logger);
        _time = timeProvider ?? TimeProvider.System;
        _exec = new DockerExec(_client.Exec, _endpoint, _time);
        _stats = new DockerStats(_client.Containers, _endpoint);
    }

    public async Task<RuntimeInfo> GetInfoAsync(CancellationToken cancellationToken)
    {
        var info = await ReadSystemInfoAsync(cancellationToken);
        return new RuntimeInfo("docker", info.ServerVersion ?? "", (int)info.NCPU, info.MemTotal);
    }

    public async Task<RuntimeCapabilities> GetCapabilitiesAsync(CancellationToken cancellationToken) =>
        DockerAttachmentMapper.ToCapabilities(await ReadSystemInfoAsync(cancellationToken));

    public Task EnsureImageAsync(string image, CancellationToken cancellationToken) =>
        _images.EnsureAsync(image, cancellationToken);

    public async Task<string> CreateAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        var nvidiaRuntime = spec.GpuIndices.Count > 0 && await HasNvidiaRuntimeAsync(cancellationToken);
        var parameters = DockerModelMapper.ToCreateParameters(spec, nvidiaRuntime, _options);
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

    /// <summary>Starts a created container, or restarts an exited one in place (same container, logs kept).</summary>
    public Task StartAsync(string containerId, CancellationToken cancellationToken)
    {
        _oomKills.Started(containerId);
        return CallEngineAsync($"starting container {containerId}",
            () => _client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), cancellationToken));
    }

    public async Task<ContainerExit> WaitAsync(string containerId, CancellationToken cancellationToken)
    {
        var exit = await CallEngineAsync($"waiting for container {containerId}",
            () => _client.Containers.WaitContainerAsync(containerId, cancellationToken));

        var stopRequested = _oomKills.WasStopRequested(containerId); // before the inspect: see the detector

        // The wait answer has only the status code; OOM and the engine's start error live in the container's state.
        var container = await InspectRawAsync(containerId, cancellationToken);
        var state = container?.State;
        var error = exit.Error?.Message is { Length: > 0 } waitError ? waitError
            : state?.Error is { Length: > 0 } stateError ? stateError
            : null;

        // The engine's OOMKilled, or a guess where docker 20.10 is known to miss one (see the detector) — unless the
        // engine's own event log shows someone killed it through the API (docker kill, another client's stop).
        var oomKilled = state?.OOMKilled == true
            || (MissedOomKillDetector.IsMissedOomKill(exit.StatusCode, container, stopRequested)
                && !await KilledThroughEngineAsync(containerId, state, cancellationToken));
        return new ContainerExit((int)exit.StatusCode, oomKilled, error);
    }

    /// <summary>
    /// Whether the engine logged a "kill" for the container during its last run. A kill sent through the API (docker
    /// kill, a stop's signals) leaves one; the kernel's OOM killer does not. Asked only in the ambiguous case, once,
    /// for a closed interval of the engine's own clock (the run's start to its finish), so the answer comes at once.
    /// The engine keeps its recent events only: on a very busy engine an old kill may be gone, and the guess stands.
    /// </summary>
    private async Task<bool> KilledThroughEngineAsync(string containerId, EngineContainerState? state, CancellationToken cancellationToken)
    {
        if (DockerTime.ParseOptional(state?.StartedAt) is not { } started || DockerTime.ParseOptional(state?.FinishedAt) is not { } finished)
            return false;
        var killed = new KillSeen();
        var parameters = new ContainerEventsParameters
        {
            Since = DockerTime.ToUnixSeconds(started),
            // A kill precedes the exit it causes; the margin covers stamps cut to .NET's 100 ns.
            Until = DockerTime.ToUnixSeconds(finished + TimeSpan.FromMilliseconds(1)),
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["type"] = new Dictionary<string, bool> { ["container"] = true },
                ["container"] = new Dictionary<string, bool> { [containerId] = true },
                ["event"] = new Dictionary<string, bool> { ["kill"] = true },
            },
        };
        try
        {
            await _client.System.MonitorEventsAsync(parameters, killed, cancellationToken);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            DockerRuntimeLog.EventsUnavailable(_logger, containerId, e.Message);
        }
        return killed.Seen;
    }

    /// <summary>Records events as the stream delivers them (Progress&lt;T&gt; would post them later, after the call returned).</summary>
    private sealed class KillSeen : IProgress<Message>
    {
        public bool Seen { get; private set; }

        public void Report(Message value) => Seen = true;
    }

    public Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        var graceSeconds = (uint)Math.Ceiling(Math.Max(0, gracePeriod.TotalSeconds));
        _oomKills.StopRequested(containerId);
        return CallEngineAsync($"stopping container {containerId}", async () =>
        {
            try
            {
                if (graceSeconds == 0)
                {
                    await KillAsync(containerId, cancellationToken);
                    return;
                }

                // False means "already stopped" (304), which is what the caller wants anyway.
                var parameters = new ContainerStopParameters { WaitBeforeKillSeconds = graceSeconds };
                await _client.Containers.StopContainerAsync(containerId, parameters, cancellationToken);
            }
            catch (DockerContainerNotFoundException)
            {
                // Gone already: stopped, as far as anyone can tell.
            }
        });
    }

    /// <summary>
    /// A stop without grace. Docker.DotNet leaves out query parameters equal to their type's default, so a stop's t=0
    /// never reaches the engine, which then waits its own 10 s. A kill without a signal is the engine's SIGKILL that
    /// also waits for the container to be down, like a stop does.
    /// </summary>
    private async Task KillAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Containers.KillContainerAsync(containerId, new ContainerKillParameters(), cancellationToken);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict
            && EngineErrors.MessageOf(e).Contains("is not running", StringComparison.OrdinalIgnoreCase))
        {
            // Already stopped, which is what the caller wants.
        }
    }

    public Task RemoveAsync(string containerId, bool force, CancellationToken cancellationToken)
    {
        // RemoveVolumes: anonymous volumes belong to this container alone and would otherwise leak.
        var parameters = new ContainerRemoveParameters { Force = force, RemoveVolumes = true };
        if (force)
        {
            _oomKills.StopRequested(containerId); // a forced removal of a running container kills it
        }

        return CallEngineAsync($"removing container {containerId}", async () =>
        {
            try
            {
                await _client.Containers.RemoveContainerAsync(containerId, parameters, cancellationToken);
                DockerRuntimeLog.ContainerRemoved(_logger, containerId);
                _oomKills.Removed(containerId);
            }
            catch (DockerContainerNotFoundException)
            {
                // Already gone: the goal of the call is met.
                _oomKills.Removed(containerId);
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

    /// <inheritdoc/>
    /// <remarks>On timeout the command may go on running in the container: the Engine API cannot kill it.</remarks>
    public Task<ExecResult> ExecAsync(
        string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) =>
        _exec.RunAsync(containerId, command, timeout, cancellationToken);

    public Task<IExecSession> StartExecAsync(string containerId, ExecRequest request, CancellationToken cancellationToken) =>
        DockerExecSession.StartAsync(_client.Exec, _endpoint, _time, containerId, request, cancellationToken);

    public async Task<ContainerNetwork?> GetNetworkAsync(string containerId, CancellationToken cancellationToken) =>
        await InspectRawAsync(containerId, cancellationToken) is { } container ? ContainerNetworkMapper.ToContainerNetwork(container) : null;

    /// <summary>
    /// Imports a root filesystem tar (see <see cref="RootfsImage"/>) as image <paramref name="reference"/>, for nodes
    /// that cannot reach a registry. Returns once the image is inspectable.
    /// </summary>
    public Task<ContainerStats?> GetStatsAsync(string containerId, CancellationToken cancellationToken) =>
        _stats.ReadAsync(containerId, cancellationToken);

    public Task ImportRootfsAsync(Stream rootfsTar, string reference, CancellationToken cancellationToken) =>
        CallEngineAsync($"importing image {reference}", () => RootfsImage.ImportAsync(_client, rootfsTar, reference, cancellationToken));

    public void WriteBusyboxRootfs(Stream output, string busyboxPath = "/bin/busybox") =>
        RootfsImage.WriteBusyboxRootfsTar(output, busyboxPath);

    public void Dispose()
    {
        _client.Dispose();
        _configuration.Dispose();
    }

    /// <summary>GET /info, noting on the way whether NVIDIA's container toolkit registered its runtime.</summary>
    private async Task<SystemInfoResponse> ReadSystemInfoAsync(CancellationToken cancellationToken)
    {
        var info = await CallEngineAsync("reading engine info", () => _client.System.GetSystemInfoAsync(cancellationToken));
        _nvidiaRuntime = new StrongBox<bool>(HasNvidiaRuntime(info));
        return info;
    }

    private async Task<bool> HasNvidiaRuntimeAsync(CancellationToken cancellationToken) =>
        _nvidiaRuntime?.Value ?? HasNvidiaRuntime(await ReadSystemInfoAsync(cancellationToken));

    private static bool HasNvidiaRuntime(SystemInfoResponse info) => info.Runtimes?.ContainsKey("nvidia") ?? false;

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

    private async Task CallEngineAsync(string action, Func<Task> call) =>
        await CallEngineAsync(action, async () => { await call(); return true; });

    private Task<T> CallEngineAsync<T>(string action, Func<Task<T>> call) => EngineErrors.CallAsync(_endpoint, action, call);
}
