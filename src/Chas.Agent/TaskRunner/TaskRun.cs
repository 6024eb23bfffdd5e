using Chas.Agent.TaskRunner.Hooks;
using Chas.Contracts;
using Chas.Runtime;
using Microsoft.Extensions.Logging;

namespace Chas.Agent.TaskRunner;

/// <summary>
/// Drives one task's (or instance's) container from the server's latest view of it: adopt or create, start,
/// supervise, and on exit either report the end or restart in place per the restart policy, with crash-loop
/// back-off. What happens around those steps (image, mounts, network, probes, drain) is in its
/// <see cref="ITaskHook"/>s. One per task uid; the supervisor feeds it updates and cancels it when the task is deleted.
/// </summary>
internal sealed partial class TaskRun : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly SemaphoreSlim _changed = new(0);
    private readonly TaskContext _context;
    private readonly IReadOnlyList<ITaskHook> _hooks;
    private readonly IContainerRuntime _runtime;
    private readonly AgentOptions _options;
    private readonly string? _cluster;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RestartBackoff _backoff;
    private Task? _loop;

    public TaskRun(TaskResource initial, IContainerRuntime runtime, StatusReporter reporter,
        AgentOptions options, string? cluster, TimeProvider time, ILogger logger)
        : this(initial, runtime, reporter, options, cluster, time, logger, DefaultHooks())
    {
    }

    /// <param name="hooks">In prestart order; tests pass their own.</param>
    public TaskRun(TaskResource initial, IContainerRuntime runtime, StatusReporter reporter,
        AgentOptions options, string? cluster, TimeProvider time, ILogger logger, IReadOnlyList<ITaskHook> hooks)
    {
        _runtime = runtime;
        _options = options;
        _cluster = cluster;
        _time = time;
        _logger = logger;
        _hooks = hooks;
        _context = new TaskContext(initial, runtime, reporter, options, time, logger);
        _backoff = new RestartBackoff(options.RestartBackoffInitial, options.RestartBackoffMax, options.RestartBackoffReset);
        Uid = initial.Uid;
    }

    /// <summary>The hooks every task runs with, in prestart order.</summary>
    public static IReadOnlyList<ITaskHook> DefaultHooks() => [new ImageHook(), new MountsHook(), new NetworkHook(), new ProbesHook(), new DrainHook()];

    public string Uid { get; }
    public string? ContainerId => _context.ContainerId;

    private TaskResource Latest => _context.Task;
    private bool StopWanted => _context.StopWanted;

    public void Start() => _loop = Task.Run(() => RunAsync(_cts.Token));

    public void Update(TaskResource task)
    {
        _context.Task = task;
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
        _context.Dispose();
    }

    private Task ReportAsync(TaskStatusReport report, CancellationToken ct) => _context.ReportAsync(report, ct);

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
            LogUnexpected(_logger, Latest.Name, ex);
            await ReportAsync(new TaskStatusReport { Status = TaskPhase.Failed, Error = $"agent error: {ex.Message}", ContainerId = ContainerId }, ct);
        }
    }

    private async Task DriveAsync(CancellationToken ct)
    {
        var task = Latest;
        var found = await _runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Uid] = task.Uid }, ct);
        var container = found.Count > 0 ? found[0] : null;
        _context.ContainerId = container?.Id;

        if (task.Status.IsTerminal())
        {
            // Lost or ended while we were away: make sure nothing of it still runs (fencing); keep the container for its logs.
            if (container?.State == ContainerState.Running) await _runtime.StopAsync(container.Id, _options.StopGracePeriod, ct);
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

        var startedAt = container.StartedAt ?? _time.GetUtcNow();
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
                        await ReportAsync(new TaskStatusReport { Status = TaskPhase.Stopped, ContainerId = ContainerId, FinishedAt = _time.GetUtcNow() }, ct);
                        return;
                    }
                    try
                    {
                        await _runtime.StartAsync(container.Id, ct);
                    }
                    catch (RuntimeException ex)
                    {
                        await ReportAsync(new TaskStatusReport { Status = TaskPhase.Failed, ContainerId = ContainerId, Error = ex.Message }, ct);
                        return;
                    }
                    startedAt = _time.GetUtcNow();
                    await ReportAsync(_context.RunningReport(ready: Latest.Readiness is null, startedAt), ct);
                }
                else if (Latest.Status != TaskPhase.Running)
                {
                    // Adopted after an agent restart: never restart it, just pick up where we were.
                    await ReportAsync(_context.RunningReport(ready: Latest.Readiness is null, container.StartedAt ?? startedAt), ct);
                }
                // An adopted container keeps the readiness the server knows until a probe says otherwise.
                var adopted = container.State == ContainerState.Running;
                _context.KnownReady = adopted && Latest.Ready;
                exit = await SuperviseAsync(container.Id, ct);
            }

            if (StopWanted)
            {
                await ReportAsync(new TaskStatusReport { Status = TaskPhase.Stopped, ContainerId = ContainerId, ExitCode = exit.ExitCode, FinishedAt = _time.GetUtcNow() }, ct);
                return;
            }
            var policy = Latest.RestartPolicy;
            var restart = policy == RestartPolicy.Always
                || (policy == RestartPolicy.OnFailure && (exit.ExitCode != 0 || exit.OomKilled) && (Latest.MaxRestarts is not { } max || _context.RestartCount < max));
            if (!restart)
            {
                await ReportEndAsync(exit, ct);
                return;
            }

            var restarts = ++_context.RestartCount;
            var delay = _backoff.Next(_time.GetUtcNow() - startedAt);
            await ReportAsync(new TaskStatusReport
            {
                Status = TaskPhase.Starting,
                ContainerId = ContainerId,
                ExitCode = exit.ExitCode,
                Error = Describe(exit),
                RestartCount = restarts,
                Reason = $"crash-loop back-off: restart {restarts} in {delay.TotalSeconds:0.#}s ({Describe(exit)})",
            }, ct);
            LogRestarting(_logger, Latest.Name, restarts, delay.TotalSeconds);
            if (await WaitUnlessStoppedAsync(delay, ct))
            {
                await ReportAsync(new TaskStatusReport { Status = TaskPhase.Stopped, ContainerId = ContainerId, ExitCode = exit.ExitCode, FinishedAt = _time.GetUtcNow() }, ct);
                return;
            }
            container = container with { State = ContainerState.Exited };
            task = Latest;
        }
    }

    /// <summary>Prestart hooks in order, then the container is created; null when the task ended instead.</summary>
    private async Task<ContainerInfo?> CreateAsync(CancellationToken ct)
    {
        if (StopWanted)
        {
            await ReportAsync(new TaskStatusReport { Status = TaskPhase.Stopped, FinishedAt = _time.GetUtcNow() }, ct);
            return null;
        }
        if (Latest.Deployment is not null) await ReportAsync(new TaskStatusReport { Status = TaskPhase.Starting, Reason = $"pulling and creating {Latest.Image}" }, ct);
        var backoff = new RestartBackoff(_options.RestartBackoffInitial, _options.RestartBackoffMax, TimeSpan.MaxValue);
        while (true)
        {
            try
            {
                _context.Spec = ContainerSpecBuilder.Build(Latest, _options, _cluster);
                foreach (var hook in _hooks) await hook.PrestartAsync(_context, ct);
                _context.ContainerId = await _runtime.CreateAsync(_context.Spec, ct);
                return new ContainerInfo { Id = _context.ContainerId, Name = "", State = ContainerState.Created };
            }
            catch (RuntimeException ex) when (Latest.RestartPolicy == RestartPolicy.Always)
            {
                // A long-running instance keeps trying (the image may arrive, the registry come back).
                var delay = backoff.Next(TimeSpan.Zero);
                _context.Reporter.ReportEvent(Latest, EventReasons.BackOff, $"{ex.Message} (retrying in {delay.TotalSeconds:0.#}s)", warning: true);
                await ReportAsync(new TaskStatusReport { Status = TaskPhase.Starting, Error = ex.Message, Reason = $"{ex.Message} (retrying in {delay.TotalSeconds:0.#}s)" }, ct);
                if (await WaitUnlessStoppedAsync(delay, ct))
                {
                    await ReportAsync(new TaskStatusReport { Status = TaskPhase.Stopped, FinishedAt = _time.GetUtcNow() }, ct);
                    return null;
                }
            }
            catch (RuntimeException ex)
            {
                await ReportAsync(new TaskStatusReport { Status = TaskPhase.Failed, Error = ex.Message }, ct);
                return null;
            }
            finally
            {
                _context.Spec = null;
            }
        }
    }

    /// <summary>Poststart hooks, then waits for the container to exit while honouring stop requests; exited hooks in reverse.</summary>
    private async Task<ContainerExit> SuperviseAsync(string containerId, CancellationToken ct)
    {
        foreach (var hook in _hooks) await hook.PoststartAsync(_context, ct);

        var exit = _runtime.WaitAsync(containerId, ct);
        var stopIssued = false;
        while (!exit.IsCompleted)
        {
            var changed = _changed.WaitAsync(ct);
            if (await Task.WhenAny(exit, changed) != changed) break;
            if (!stopIssued && StopWanted)
            {
                stopIssued = true;
                if (!Latest.Status.IsTerminal()) await ReportAsync(new TaskStatusReport { Status = TaskPhase.Stopping, ContainerId = ContainerId }, ct);
                _ = PreKillThenStopAsync(containerId, ct);
            }
        }
        for (var i = _hooks.Count - 1; i >= 0; i--) await _hooks[i].ExitedAsync(_context, ct);
        return await exit;
    }

    /// <summary>Pre-kill hooks in reverse order (the drain delay among them), then the stop signal.</summary>
    private async Task PreKillThenStopAsync(string containerId, CancellationToken ct)
    {
        try
        {
            for (var i = _hooks.Count - 1; i >= 0; i--) await _hooks[i].PreKillAsync(_context, ct);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await _context.StopContainerAsync(containerId, ct);
    }

    /// <summary>Waits <paramref name="delay"/>; returns true early when the task is to be stopped.</summary>
    private async Task<bool> WaitUnlessStoppedAsync(TimeSpan delay, CancellationToken ct)
    {
        var until = _time.GetUtcNow() + delay;
        while (!StopWanted)
        {
            var left = until - _time.GetUtcNow();
            if (left <= TimeSpan.Zero) return false;
            using var timeout = new CancellationTokenSource(left, _time);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            try { await _changed.WaitAsync(wait.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
        }
        return true;
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
            RestartCount = _context.RestartCount,
            FinishedAt = _time.GetUtcNow(),
        }, ct);
    }

    private static string Describe(ContainerExit exit) =>
        exit.OomKilled ? "oom-killed: the container exceeded its memory limit"
        : !string.IsNullOrEmpty(exit.Error) ? exit.Error
        : $"exited with code {exit.ExitCode}";

    [LoggerMessage(EventId = 3200, Level = LogLevel.Error, Message = "Task {Task} failed on the agent")]
    private static partial void LogUnexpected(ILogger logger, string task, Exception exception);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Restarting {Task} (restart {Count}) in {Seconds}s")]
    private static partial void LogRestarting(ILogger logger, string task, int count, double seconds);
}
