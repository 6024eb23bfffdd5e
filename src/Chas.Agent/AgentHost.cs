using System.Net;
using Chas.Client;
using Chas.Client.Informers;
using Chas.Contracts;
using Chas.Runtime;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chas.Agent;

/// <summary>
/// The node agent's main loop: join the server, adopt or fence what the engine already runs, then
/// heartbeat and follow the node's assignments through an informer (list, watch, list again after any break).
/// </summary>
internal sealed partial class AgentHost(
    AgentOptions options, ChasClient client, NodeCredentialHolder credential, IContainerRuntime runtime, TaskSupervisor supervisor,
    IServer server, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<AgentHost> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WaitForStartAsync(stoppingToken);
        await JoinAsync(stoppingToken);
        var registration = await BuildRegistrationAsync(stoppingToken);
        await RetryAsync("register", () => client.RegisterNodeAsync(registration, stoppingToken), stoppingToken);
        LogJoined(logger, options.NodeName, options.AllServers.ToString(), registration.AgentUrl!);

        Task? heartbeats = null;
        await using var assignments = new Informer<TaskResource>(TaskSource.For(client, options.NodeName), new InformerOptions { Time = time });
        assignments.AddHandler(new InformerHandler<TaskResource>
        {
            // Every (re)list is reconciled whole (adopt, fence, start; idempotent); the watch's events one by one.
            DeliverListDifferences = false,
            Synced = async (sync, ct) =>
            {
                await supervisor.ReconcileAsync(sync.Items, ct);
                // Heartbeats (and so readiness) begin only after the first reconcile has fenced stale work.
                heartbeats ??= HeartbeatLoopAsync(registration, stoppingToken);
            },
            Added = (task, _) => Changed(task),
            Updated = (_, task, _) => Changed(task),
            Deleted = (task, ct) => new ValueTask(supervisor.OnTaskDeletedAsync(task, ct)),
        });
        assignments.Interrupted += interruption => LogWatchBroken(logger, interruption.Reason);
        await assignments.RunAsync(stoppingToken);
        if (heartbeats is not null) await heartbeats.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private ValueTask Changed(TaskResource task)
    {
        supervisor.OnTaskChanged(task);
        return ValueTask.CompletedTask;
    }

    private async Task HeartbeatLoopAsync(RegisterNodeRequest registration, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval, time);
        do
        {
            try
            {
                await client.HeartbeatAsync(options.NodeName, new HeartbeatRequest { RunningContainers = supervisor.ActiveRuns }, ct);
            }
            catch (ChasApiException ex) when (ex.Status == HttpStatusCode.NotFound)
            {
                // The server forgot us (fresh data directory): join again.
                await client.RegisterNodeAsync(registration, ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or ChasApiException)
            {
                LogHeartbeatFailed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(ct).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }

    /// <summary>Once per start: the join token buys the node's credential, which every later call uses.</summary>
    private async Task JoinAsync(CancellationToken ct)
    {
        if (credential.Credential is null)
        {
            var joined = await RetryAsync("join", () => client.JoinNodeAsync(options.NodeName, ct), ct);
            credential.Credential = joined.Credential;
        }
        client.SetToken(credential.Credential);
    }

    private async Task WaitForStartAsync(CancellationToken ct)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(ct);
    }

    private async Task<RegisterNodeRequest> BuildRegistrationAsync(CancellationToken ct)
    {
        var info = await RetryAsync("reach the container engine", () => runtime.GetInfoAsync(ct), ct);
        var gpus = await Gpus.NvidiaSmi.DetectAsync(options.NvidiaSmi, ct, time);
        var listen = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the agent API is not listening");
        var port = new Uri(listen.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal)).Port;
        var host = options.Address.Contains(':', StringComparison.Ordinal) ? $"[{options.Address}]" : options.Address;
        return new RegisterNodeRequest
        {
            Name = options.NodeName,
            Address = options.Address,
            Hostname = Environment.MachineName,
            AgentUrl = $"http://{host}:{port}/",
            Labels = options.Labels,
            Capacity = new ResourceAmounts
            {
                CpuMillis = options.CpuMillis ?? info.CpuCount * 1000L,
                MemoryBytes = options.MemoryBytes ?? info.MemoryBytes,
            },
            Reserved = new ResourceAmounts { CpuMillis = options.ReserveCpuMillis, MemoryBytes = options.ReserveMemoryBytes },
            Gpus = gpus,
            PortRange = options.PortRange,
            Runtime = $"{info.Name} {info.Version}",
            AgentVersion = typeof(AgentHost).Assembly.GetName().Version?.ToString() ?? "",
        };
    }

    private async Task<T> RetryAsync<T>(string what, Func<Task<T>> action, CancellationToken ct)
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(200), MaxBackoff, jitter: 0.2);
        while (true)
        {
            try
            {
                return await action();
            }
            catch (Exception ex) when (ex is HttpRequestException or RuntimeException or (ChasApiException { Status: >= HttpStatusCode.InternalServerError }) && !ct.IsCancellationRequested)
            {
                LogRetrying(logger, what, ex.Message);
                await backoff.DelayAsync(time, ct);
            }
        }
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Node {Node} joined {Server}; agent API at {AgentUrl}")]
    private static partial void LogJoined(ILogger logger, string node, string server, string agentUrl);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Could not {What}, retrying: {Reason}")]
    private static partial void LogRetrying(ILogger logger, string what, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Assignment stream interrupted, listing again: {Reason}")]
    private static partial void LogWatchBroken(ILogger logger, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Heartbeat failed: {Reason}")]
    private static partial void LogHeartbeatFailed(ILogger logger, string reason);
}
