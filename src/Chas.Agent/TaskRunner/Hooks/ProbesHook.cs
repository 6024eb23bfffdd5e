using Chas.Agent.Probes;
using Microsoft.Extensions.Logging;

namespace Chas.Agent.TaskRunner.Hooks;

/// <summary>
/// Readiness and liveness probes while the container runs: readiness changes are reported, a failed liveness probe
/// stops the container (the restart policy then decides). Started at every poststart, ended when the container exits.
/// </summary>
internal sealed partial class ProbesHook : ITaskHook
{
    private CancellationTokenSource? _probes;
    private readonly List<Task> _running = [];

    public string Name => "probes";

    public Task PoststartAsync(TaskContext context, CancellationToken ct)
    {
        var probes = _probes = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var containerId = context.ContainerId!;
        var task = context.Task;
        if (task.Readiness is { } readiness)
        {
            var runner = new ProbeRunner(readiness,
                c => ProbeChecks.RunAsync(readiness, context.Task, containerId, context.Runtime, context.Options.Address, context.Time, c),
                initiallyHealthy: context.KnownReady, context.Time);
            _running.Add(runner.RunAsync(ready => context.ReportReadinessAsync(ready, probes.Token), probes.Token));
        }
        if (task.Liveness is { } liveness)
        {
            var runner = new ProbeRunner(liveness,
                c => ProbeChecks.RunAsync(liveness, context.Task, containerId, context.Runtime, context.Options.Address, context.Time, c),
                initiallyHealthy: true, context.Time);
            _running.Add(runner.RunAsync(healthy =>
            {
                if (!healthy) LogUnhealthy(context.Logger, context.Task.Name);
                return healthy ? Task.CompletedTask : context.StopContainerAsync(containerId, ct);
            }, probes.Token));
        }
        return Task.CompletedTask;
    }

    public async Task ExitedAsync(TaskContext context, CancellationToken ct)
    {
        if (_probes is not { } probes) return;
        await probes.CancelAsync();
        foreach (var probe in _running)
        {
            try { await probe; } catch (OperationCanceledException) { }
        }
        _running.Clear();
        probes.Dispose();
        _probes = null;
    }

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Liveness probe of {Task} failed: restarting its container")]
    private static partial void LogUnhealthy(ILogger logger, string task);
}
