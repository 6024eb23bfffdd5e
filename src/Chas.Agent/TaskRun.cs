using Chas.Agent.Probes;
using Chas.Contracts;
using Chas.Runtime;
using Microsoft.Extensions.Logging;

namespace Chas.Agent;

/// <summary>
/// Drives one task's (or instance's) container from the server's latest view of it: adopt or
/// create, start, supervise (probes, stop requests), and on exit either report the end or restart
/// in place per the restart policy, with crash-loop back-off. One per task uid; the supervisor
/// feeds it updates and cancels it when the task is deleted.
/// </summary>
internal sealed partial class TaskRun(TaskResource initial, IContainerRuntime runtime, StatusReporter reporter,
    AgentOptions options, string? cluster, TimeProvider time, ILogger logger) : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly SemaphoreSlim _changed = new(0);
    private readonly SemaphoreSlim _reportLock = new(1, 1);
    private readonly RestartBackoff _backoff = new(options.RestartBackoffInitial, options.RestartBackoffMax, options.RestartBackoffReset);
    private volatile TaskResource _latest = initial;
    private int _restartCount = initial.RestartCount;
    private Task? _loop;

    public string Uid { get; } = initial.Uid;
    public string? ContainerId { get; private set; }

    private bool IsInstance => _latest.Deployment is not null;
    private bool StopWanted => _latest.StopRequested || _latest.Status.IsTerminal();

    public void Start() => _loop = Task.Run(() => RunAsync(_cts.Token));

    public void Update(TaskResource task)
    {
        _latest = task;
        _changed.Release();
    }

    /// <summary>The task was deleted: stop working on it (the supervisor removes the container).</summary>
    public async Task CancelAsync()
    {
        await _cts.CancelAsync();
        if (_loop is not null)
        {
            try { await _loop; } catch (OperationCanceledException) { }
        }
        Dispose();
    }

    public void Dispose()
    {
        _cts.Dispose();
        _changed.Dispose();
        _reportLock.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await DriveAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogUnexpected(logger, _latest.Name, ex);
            await ReportAsync(new TaskStatusReport { Status = TaskPhase.Failed, Error = $"agent error: {ex.Message}", ContainerId = ContainerId }, ct);
        }
    }

    private async Task DriveAsync(CancellationToken ct)
    {
        var task = _latest;
        var found = await runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Uid] = task.Uid }, ct);
        var container = found.Count > 0 ? found[0] : null;
        ContainerId = container?.Id;

        if (task.Status.IsTerminal())
        {
            // Lost or ended while we were away: make sure nothing of it still runs (fencing); keep the container for its logs.
            if (container?.State == ContainerState.Running) await runtime.StopAsync(container.Id, options.StopGracePeriod, ct);
            return;
        }
        if (container is null)
        {
            if (task.Status == TaskPhase.Running && task.RestartPolicy == RestartPolicy.Never)
            {
                await ReportAsync(new TaskStatusReport { Status = TaskPhase.Failed, Error = "the container disappeared from the node" }, ct);
                return;
            }
            container = await CreateAsync(ct);
            if (container is null) return;
        }

        var startedAt = container.StartedAt ?? time.GetUtcNow();
        // The server thinks it runs but it has exited: it ended while the agent was away.
        var endedWhileAway = container.State == ContainerState.Exited && task.Status == TaskPhase.Running;
        while (true)
        {
            ContainerExit exit;
            if (endedWhileAway)
            {
                endedWhileAway = false;
                exit = new ContainerExit(container.ExitCode ?? -1, container.OomKilled, container.Error);
            }
            else
            {
                if (container.State != ContainerState.Running)
                {
                    if (StopWanted)
                    {
                        await ReportAsync(new TaskStatusReport { Status = TaskPhase.Stopped, ContainerId = ContainerId, FinishedAt = time.GetUtcNow() }, ct);
                        return;
                    }
                    try
                    {
                        await runtime.StartAsync(container.Id, ct);
                    }
                    catch (RuntimeException ex)
                    {
                        await ReportAsync(new TaskStatusReport { Status = TaskPhase.Failed, ContainerId = ContainerId, Error = ex.Message }, ct);
                        return;
                    }
                    startedAt = time.GetUtcNow();
                    await ReportAsync(RunningReport(ready: _latest.Readiness is null, startedAt), ct);
                }
                else if (_latest.Status != TaskPhase.Running)
                {
                    // Adopted after an agent restart: never restart it, just pick up where we were.
                    await ReportAsync(RunningReport(ready: _latest.Readiness is null, container.StartedAt ?? startedAt), ct);
                }
                // An adopted container keeps the readiness the server knows until a probe says otherwise.
                var adopted = container.State == ContainerState.Running;
                exit = await SuperviseAsync(container.Id, adopted && _latest.Ready, ct);
            }

            if (StopWanted)
            {
                await ReportAsync(new TaskStatusReport { Status = TaskPhase.Stopped, ContainerId = ContainerId, ExitCode = exit.ExitCode, FinishedAt = time.GetUtcNow() }, ct);
                return;
            }
            var policy = _latest.RestartPolicy;
            var restart = policy == RestartPolicy.Always
                || (policy == RestartPolicy.OnFailure && (exit.ExitCode != 0 || exit.OomKilled) && (_latest.MaxRestarts is not { } max || _restartCount < max));
            if (!restart)
            {
                await ReportEndAsync(exit, ct);
                return;
            }

            _restartCount++;
            var delay = _backoff.Next(time.GetUtcNow() - startedAt);
            await ReportAsync(new TaskStatusReport
            {
                Status = TaskPhase.Starting,
                ContainerId = ContainerId,
                ExitCode = exit.ExitCode,
                Error = Describe(exit),
                RestartCount = _restartCount,
                Reason = $"crash-loop back-off: restart {_restartCount} in {delay.TotalSeconds:0.#}s ({Describe(exit)})",
            }, ct);
            LogRestarting(logger, _latest.Name, _restartCount, delay.TotalSeconds);
            if (await WaitUnlessStoppedAsync(delay, ct))
            {
                await ReportAsync(new TaskStatusReport { Status = TaskPhase.Stopped, ContainerId = ContainerId, ExitCode = exit.ExitCode, FinishedAt = time.GetUtcNow() }, ct);
                return;
            }
            container = container with { State = ContainerState.Exited };
            task = _latest;
        }
    }

    private async Task<ContainerInfo?> CreateAsync(CancellationToken ct)
    {
        if (StopWanted)
        {
            await ReportAsync(new TaskStatusReport { Status = TaskPhase.Stopped, FinishedAt = time.GetUtcNow() }, ct);
            return null;
        }
        if (IsInstance) await ReportAsync(new TaskStatusReport { Status = TaskPhase.Starting, Reason = $"pulling and creating {_latest.Image}" }, ct);
        var backoff = new RestartBackoff(options.RestartBackoffInitial, options.RestartBackoffMax, TimeSpan.MaxValue);
        while (true)
        {
            try
            {
                var pullStarted = time.GetTimestamp();
                await runtime.EnsureImageAsync(_latest.Image, ct);
                // The runtime does not say whether it downloaded or found the image: "Pulled" means "present now".
                reporter.ReportEvent(_latest, EventReasons.Pulled, $"image {_latest.Image} is present on node {_latest.Node} (ensured in {time.GetElapsedTime(pullStarted).TotalSeconds:0.###}s)");
                ContainerId = await runtime.CreateAsync(ToContainerSpec(_latest), ct);
                return new ContainerInfo { Id = ContainerId, Name = "", State = ContainerState.Created };
            }
            catch (RuntimeException ex) when (_latest.RestartPolicy == RestartPolicy.Always)
            {
                // A long-running instance keeps trying (the image may arrive, the registry come back).
                var delay = backoff.Next(TimeSpan.Zero);
                reporter.ReportEvent(_latest, EventReasons.BackOff, $"{ex.Message} (retrying in {delay.TotalSeconds:0.#}s)", warning: true);
                await ReportAsync(new TaskStatusReport { Status = TaskPhase.Starting, Error = ex.Message, Reason = $"{ex.Message} (retrying in {delay.TotalSeconds:0.#}s)" }, ct);
                if (await WaitUnlessStoppedAsync(delay, ct))
                {
                    await ReportAsync(new TaskStatusReport { Status = TaskPhase.Stopped, FinishedAt = time.GetUtcNow() }, ct);
                    return null;
                }
            }
            catch (RuntimeException ex)
            {
                await ReportAsync(new TaskStatusReport { Status = TaskPhase.Failed, Error = ex.Message }, ct);
                return null;
            }
        }
    }

    /// <summary>Waits for the container to exit while running its probes and honouring stop requests.</summary>
    private async Task<ContainerExit> SuperviseAsync(string containerId, bool knownReady, CancellationToken ct)
    {
        using var probes = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var running = new List<Task>();
        var task = _latest;
        if (task.Readiness is { } readiness)
        {
            var runner = new ProbeRunner(readiness, c => ProbeChecks.RunAsync(readiness, _latest, containerId, runtime, options.Address, c), initiallyHealthy: knownReady, time);
            running.Add(runner.RunAsync(ready => ReportReadinessAsync(ready, probes.Token), probes.Token));
        }
        if (task.Liveness is { } liveness)
        {
            var runner = new ProbeRunner(liveness, c => ProbeChecks.RunAsync(liveness, _latest, containerId, runtime, options.Address, c), initiallyHealthy: true, time);
            running.Add(runner.RunAsync(healthy =>
            {
                if (!healthy) LogUnhealthy(logger, _latest.Name);
                return healthy ? Task.CompletedTask : StopQuietlyAsync(containerId, ct);
            }, probes.Token));
        }

        var exit = runtime.WaitAsync(containerId, ct);
        var stopIssued = false;
        while (!exit.IsCompleted)
        {
            var changed = _changed.WaitAsync(ct);
            if (await Task.WhenAny(exit, changed) != changed) break;
            if (!stopIssued && StopWanted)
            {
                stopIssued = true;
                if (!_latest.Status.IsTerminal()) await ReportAsync(new TaskStatusReport { Status = TaskPhase.Stopping, ContainerId = ContainerId }, ct);
                _ = DrainThenStopAsync(containerId, ct);
            }
        }
        await probes.CancelAsync();
        foreach (var probe in running)
        {
            try { await probe; } catch (OperationCanceledException) { }
        }
        return await exit;
    }

    private async Task ReportReadinessAsync(bool ready, CancellationToken probesToken)
    {
        await _reportLock.WaitAsync(probesToken);
        try
        {
            // The container may have exited since the attempt: a stale "ready" must not overwrite "starting".
            if (probesToken.IsCancellationRequested) return;
            await reporter.ReportAsync(_latest, RunningReport(ready, null), probesToken);
        }
        finally
        {
            _reportLock.Release();
        }
    }

    private TaskStatusReport RunningReport(bool ready, DateTimeOffset? startedAt) => new()
    {
        Status = TaskPhase.Running,
        ContainerId = ContainerId,
        StartedAt = startedAt,
        Ready = ready,
        RestartCount = _restartCount,
    };

    /// <summary>Waits <paramref name="delay"/>; returns true early when the task is to be stopped.</summary>
    private async Task<bool> WaitUnlessStoppedAsync(TimeSpan delay, CancellationToken ct)
    {
        var until = time.GetUtcNow() + delay;
        while (!StopWanted)
        {
            var left = until - time.GetUtcNow();
            if (left <= TimeSpan.Zero) return false;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(left);
            try { await _changed.WaitAsync(wait.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
        }
        return true;
    }

    /// <summary>
    /// An instance that may receive traffic left the ingress when its stop was requested (the ingress
    /// follows the same watch); give the ingress time to notice and in-flight requests time to finish
    /// before SIGTERM, so a rolling update or a scale-down loses no request.
    /// </summary>
    private async Task DrainThenStopAsync(string containerId, CancellationToken ct)
    {
        if (_latest.PublishedPorts.Count > 0 && _latest.Deployment is not null && !_latest.Status.IsTerminal() && options.DrainDelay > TimeSpan.Zero)
        {
            try { await Task.Delay(options.DrainDelay, time, ct); }
            catch (OperationCanceledException) { return; }
        }
        await StopQuietlyAsync(containerId, ct);
    }

    private async Task StopQuietlyAsync(string containerId, CancellationToken ct)
    {
        try
        {
            await runtime.StopAsync(containerId, options.StopGracePeriod, ct);
        }
        catch (Exception ex) when (ex is RuntimeException or OperationCanceledException)
        {
            LogStopFailed(logger, _latest.Name, ex.Message);
        }
    }

    private Task ReportEndAsync(ContainerExit exit, CancellationToken ct)
    {
        var status = exit.ExitCode == 0 && !exit.OomKilled ? TaskPhase.Completed : TaskPhase.Failed;
        return ReportAsync(new TaskStatusReport
        {
            Status = status,
            ContainerId = ContainerId,
            ExitCode = exit.ExitCode,
            Error = status == TaskPhase.Failed ? Describe(exit) : null,
            RestartCount = _restartCount,
            FinishedAt = time.GetUtcNow(),
        }, ct);
    }

    private static string Describe(ContainerExit exit) =>
        exit.OomKilled ? "oom-killed: the container exceeded its memory limit"
        : !string.IsNullOrEmpty(exit.Error) ? exit.Error
        : $"exited with code {exit.ExitCode}";

    private async Task ReportAsync(TaskStatusReport report, CancellationToken ct)
    {
        await _reportLock.WaitAsync(ct);
        try
        {
            await reporter.ReportAsync(_latest, report, ct);
        }
        finally
        {
            _reportLock.Release();
        }
    }

    private ContainerSpec ToContainerSpec(TaskResource task) => new()
    {
        Name = ContainerLabels.ContainerName(options.NodeName, task),
        Image = task.Image,
        Command = task.Command,
        Env = task.Env,
        CpuMillis = task.CpuMillis,
        MemoryBytes = task.MemoryBytes,
        Ports = task.PublishedPorts.Select(p => new PortBinding(p.ContainerPort, p.HostPort, string.IsNullOrEmpty(p.HostIp) ? options.Address : p.HostIp, p.Protocol)).ToList(),
        Labels = ContainerLabels.For(options.NodeName, cluster, task),
        GpuIndices = task.AssignedGpus,
        // Passed as the server stored them: the server alone decides who may have a privileged task.
        Privileged = task.Privileged,
        ReadOnlyRootFilesystem = task.ReadOnlyRootFilesystem,
    };

    [LoggerMessage(EventId = 3200, Level = LogLevel.Error, Message = "Task {Task} failed on the agent")]
    private static partial void LogUnexpected(ILogger logger, string task, Exception exception);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Stopping the container of task {Task} failed: {Reason}")]
    private static partial void LogStopFailed(ILogger logger, string task, string reason);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Restarting {Task} (restart {Count}) in {Seconds}s")]
    private static partial void LogRestarting(ILogger logger, string task, int count, double seconds);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Liveness probe of {Task} failed: restarting its container")]
    private static partial void LogUnhealthy(ILogger logger, string task);
}
