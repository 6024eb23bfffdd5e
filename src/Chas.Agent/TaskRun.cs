using Chas.Contracts;
using Chas.Runtime;
using Microsoft.Extensions.Logging;

namespace Chas.Agent;

/// <summary>
/// Drives one task's container from the server's latest view of the task: adopt or create, start,
/// wait, report; stop when asked or when the task is no longer ours to run. One instance per task
/// uid; the supervisor feeds it updates and cancels it when the task is deleted.
/// </summary>
internal sealed partial class TaskRun(TaskResource initial, IContainerRuntime runtime, StatusReporter reporter,
    AgentOptions options, TimeProvider time, ILogger logger) : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly SemaphoreSlim _changed = new(0);
    private volatile TaskResource _latest = initial;
    private Task? _loop;

    public string Uid { get; } = initial.Uid;
    public string? ContainerId { get; private set; }

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
        var existing = found.Count > 0 ? found[0] : null;
        ContainerId = existing?.Id;

        if (task.Status.IsTerminal())
        {
            // Lost or ended while we were away: make sure nothing of it still runs (fencing); keep the container for its logs.
            if (existing?.State == ContainerState.Running) await runtime.StopAsync(existing.Id, options.StopGracePeriod, ct);
            return;
        }

        if (existing is null)
        {
            if (task.Status == TaskPhase.Running)
            {
                await ReportAsync(new TaskStatusReport { Status = TaskPhase.Failed, Error = "the container disappeared from the node" }, ct);
                return;
            }
            if (task.StopRequested)
            {
                await ReportAsync(new TaskStatusReport { Status = TaskPhase.Stopped, FinishedAt = time.GetUtcNow() }, ct);
                return;
            }
            try
            {
                await runtime.EnsureImageAsync(task.Image, ct);
                ContainerId = await runtime.CreateAsync(ToContainerSpec(task), ct);
            }
            catch (RuntimeException ex)
            {
                await ReportAsync(new TaskStatusReport { Status = TaskPhase.Failed, Error = ex.Message }, ct);
                return;
            }
            existing = new ContainerInfo { Id = ContainerId, Name = "", State = ContainerState.Created };
        }

        switch (existing.State)
        {
            case ContainerState.Created:
                if (_latest.StopRequested)
                {
                    await ReportAsync(new TaskStatusReport { Status = TaskPhase.Stopped, ContainerId = ContainerId, FinishedAt = time.GetUtcNow() }, ct);
                    return;
                }
                try
                {
                    await runtime.StartAsync(existing.Id, ct);
                }
                catch (RuntimeException ex)
                {
                    await ReportAsync(new TaskStatusReport { Status = TaskPhase.Failed, ContainerId = ContainerId, Error = ex.Message }, ct);
                    return;
                }
                await ReportAsync(new TaskStatusReport { Status = TaskPhase.Running, ContainerId = ContainerId, StartedAt = time.GetUtcNow() }, ct);
                break;
            case ContainerState.Running:
                // Adopted after an agent restart: never restart it, just pick up where we were.
                if (task.Status != TaskPhase.Running)
                    await ReportAsync(new TaskStatusReport { Status = TaskPhase.Running, ContainerId = ContainerId, StartedAt = existing.StartedAt }, ct);
                break;
            case ContainerState.Exited:
                await ReportExitAsync(new ContainerExit(existing.ExitCode ?? -1, existing.OomKilled, existing.Error), existing.FinishedAt, ct);
                return;
        }

        await WaitForExitAsync(existing.Id, ct);
    }

    private async Task WaitForExitAsync(string containerId, CancellationToken ct)
    {
        var exit = runtime.WaitAsync(containerId, ct);
        var stopIssued = false;
        while (!exit.IsCompleted)
        {
            var changed = _changed.WaitAsync(ct);
            if (await Task.WhenAny(exit, changed) != changed) break;
            var latest = _latest;
            if (!stopIssued && (latest.StopRequested || latest.Status.IsTerminal()))
            {
                stopIssued = true;
                _ = StopQuietlyAsync(containerId, ct);
            }
        }
        await ReportExitAsync(await exit, time.GetUtcNow(), ct);
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

    private Task ReportExitAsync(ContainerExit exit, DateTimeOffset? finishedAt, CancellationToken ct)
    {
        var status = _latest.StopRequested ? TaskPhase.Stopped : exit.ExitCode == 0 && !exit.OomKilled ? TaskPhase.Completed : TaskPhase.Failed;
        var error = status != TaskPhase.Failed ? null
            : exit.OomKilled ? "oom-killed: the container exceeded its memory limit"
            : !string.IsNullOrEmpty(exit.Error) ? exit.Error
            : $"exited with code {exit.ExitCode}";
        return ReportAsync(new TaskStatusReport
        {
            Status = status,
            ContainerId = ContainerId,
            ExitCode = exit.ExitCode,
            Error = error,
            FinishedAt = finishedAt ?? time.GetUtcNow(),
        }, ct);
    }

    private Task ReportAsync(TaskStatusReport report, CancellationToken ct) => reporter.ReportAsync(_latest, report, ct);

    private ContainerSpec ToContainerSpec(TaskResource task) => new()
    {
        Name = ContainerLabels.ContainerName(options.NodeName, task),
        Image = task.Image,
        Command = task.Command,
        Env = task.Env,
        CpuMillis = task.CpuMillis,
        MemoryBytes = task.MemoryBytes,
        Ports = task.PublishedPorts.Select(p => new PortBinding(p.ContainerPort, p.HostPort, string.IsNullOrEmpty(p.HostIp) ? options.Address : p.HostIp, p.Protocol)).ToList(),
        Labels = ContainerLabels.For(options.NodeName, task),
    };

    [LoggerMessage(EventId = 3200, Level = LogLevel.Error, Message = "Task {Task} failed on the agent")]
    private static partial void LogUnexpected(ILogger logger, string task, Exception exception);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Stopping the container of task {Task} failed: {Reason}")]
    private static partial void LogStopFailed(ILogger logger, string task, string reason);
}
