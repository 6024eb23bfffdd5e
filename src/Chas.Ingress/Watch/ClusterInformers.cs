using Chas.Client;
using Chas.Client.Informers;
using Chas.Contracts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chas.Ingress.Watch;

/// <summary>
/// What the ingress knows of the cluster — deployments, deployment instances and node addresses — kept by three
/// informers (each lists, watches, and lists again after a break, a 410 or a stall). Every change that may move a
/// route raises one coalesced signal; before all three have listed, the ingress routes nothing.
/// </summary>
internal sealed partial class ClusterInformers : BackgroundService
{
    private readonly ChasClient _client;
    private readonly ILogger<ClusterInformers> _logger;
    private readonly InformerGroup _group = new();
    private readonly Informer<DeploymentResource> _deployments;
    private readonly Informer<TaskResource> _instances;
    private readonly Informer<NodeResource> _nodes;

    public ClusterInformers(ChasClient client, TimeProvider time, ILogger<ClusterInformers> logger)
    {
        _client = client;
        _logger = logger;
        var options = new InformerOptions { Time = time };
        _deployments = Follow(_group.Add(new Informer<DeploymentResource>(DeploymentSource.For(client), options)), "deployments");
        // Standalone tasks are never routed to.
        _instances = Follow(_group.Add(new Informer<TaskResource>(TaskSource.For(client).Where(t => t.Deployment is not null), options)), "tasks");
        // Heartbeats modify nodes every few seconds; only the address matters for routing.
        _nodes = Follow(_group.Add(new Informer<NodeResource>(NodeSource.For(client), options), (old, current) => old?.Address != current?.Address), "nodes");
    }

    /// <summary>True once every kind has been listed: before that the ingress routes nothing.</summary>
    public bool Synced => _group.HasSynced;

    public sealed record Snapshot(IReadOnlyList<DeploymentResource> Deployments, IReadOnlyList<TaskResource> Instances,
        IReadOnlyDictionary<string, string> NodeAddresses);

    public Snapshot Read() =>
        new(_deployments.List(), _instances.List(), _nodes.List().ToDictionary(n => n.Name, n => n.Address, StringComparer.Ordinal));

    /// <summary>Completes when something changed since the last call (many changes wake it once).</summary>
    public Task WaitForChangeAsync(CancellationToken ct) => _group.WaitForChangeAsync(ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = _group.RunAsync(stoppingToken);
        try
        {
            await _group.WaitForSyncAsync(stoppingToken);
            LogSynced(_logger, _client.Server.ToString(), _deployments.Cache.Count, _instances.Cache.Count, _nodes.Cache.Count);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await running;
    }

    private Informer<T> Follow<T>(Informer<T> informer, string kind)
        where T : class
    {
        // The ingress keeps its last routes whatever broke, and lists again: it must never stop over a watch.
        informer.Interrupted += interruption =>
        {
            switch (interruption.Kind)
            {
                case InterruptionKind.StreamEnded: LogStreamEnded(_logger, kind); break;
                case InterruptionKind.RevisionGone: LogTooOld(_logger, kind); break;
                default: LogBroken(_logger, kind, interruption.Reason); break;
            }
        };
        return informer;
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Watching {Server}: {Deployments} deployments, {Tasks} instances, {Nodes} nodes")]
    private static partial void LogSynced(ILogger logger, string server, int deployments, int tasks, int nodes);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Watch stream of {Kind} ended, listing again")]
    private static partial void LogStreamEnded(ILogger logger, string kind);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Watch of {Kind} interrupted, listing again: {Reason}")]
    private static partial void LogBroken(ILogger logger, string kind, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Watch revision of {Kind} no longer kept by the server (410), listing again")]
    private static partial void LogTooOld(ILogger logger, string kind);
}
