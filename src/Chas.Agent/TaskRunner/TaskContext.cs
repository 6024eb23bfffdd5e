using Chas.Contracts;
using Chas.Runtime;
using Microsoft.Extensions.Logging;

namespace Chas.Agent.TaskRunner;

/// <summary>
/// What the hooks of one task's run share: the server's latest view of the task, its container, the spec under
/// construction, and the reporting that keeps the server's view in order (one report at a time).
/// </summary>
internal sealed partial class TaskContext(TaskResource initial, IContainerRuntime runtime, StatusReporter reporter,
    AgentOptions options, TimeProvider time, ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _reportLock = new(1, 1);
    private volatile TaskResource _task = initial;

    /// <summary>The server's latest view; changes while the run goes on (stop requests, readiness, deletion).</summary>
    public TaskResource Task
    {
        get => _task;
        set => _task = value;
    }

    public IContainerRuntime Runtime { get; } = runtime;
    public StatusReporter Reporter { get; } = reporter;
    public AgentOptions Options { get; } = options;
    public TimeProvider Time { get; } = time;
    public ILogger Logger { get; } = logger;

    public string? ContainerId { get; set; }

    /// <summary>The spec of the container about to be created; prestart hooks add to it. Null outside creation.</summary>
    public ContainerSpec? Spec { get; set; }

    public int RestartCount { get; set; } = initial.RestartCount;

    /// <summary>The readiness the server already knows for an adopted container (kept until a probe says otherwise).</summary>
    public bool KnownReady { get; set; }

    public bool StopWanted => Task.StopRequested || Task.Status.IsTerminal();

    public async Task ReportAsync(TaskStatusReport report, CancellationToken ct)
    {
        await _reportLock.WaitAsync(ct);
        try
        {
            await Reporter.ReportAsync(Task, report, ct);
        }
        finally
        {
            _reportLock.Release();
        }
    }

    /// <summary>A readiness change from a probe; dropped once <paramref name="probesToken"/> is cancelled.</summary>
    public async Task ReportReadinessAsync(bool ready, CancellationToken probesToken)
    {
        await _reportLock.WaitAsync(probesToken);
        try
        {
            // The container may have exited since the attempt: a stale "ready" must not overwrite "starting".
            if (probesToken.IsCancellationRequested) return;
            await Reporter.ReportAsync(Task, RunningReport(ready, null), probesToken);
        }
        finally
        {
            _reportLock.Release();
        }
    }

    public TaskStatusReport RunningReport(bool ready, DateTimeOffset? startedAt) => new()
    {
        Status = TaskPhase.Running,
        ContainerId = ContainerId,
        StartedAt = startedAt,
        Ready = ready,
        RestartCount = RestartCount,
    };

    /// <summary>SIGTERM then SIGKILL after the grace period; a failure is logged, not thrown (the exit wait notices either way).</summary>
    public async Task StopContainerAsync(string containerId, CancellationToken ct)
    {
        try
        {
            await Runtime.StopAsync(containerId, Options.StopGracePeriod, ct);
        }
        catch (Exception ex) when (ex is RuntimeException or OperationCanceledException)
        {
            LogStopFailed(Logger, Task.Name, ex.Message);
        }
    }

    public void Dispose() => _reportLock.Dispose();

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Stopping the container of task {Task} failed: {Reason}")]
    private static partial void LogStopFailed(ILogger logger, string task, string reason);
}
