using Chas.Contracts;

namespace Chas.Server.State;

/// <summary>How applying a deployment turns into revisions: a changed template is a new revision, kept in a bounded history.</summary>
public static class DeploymentRevisions
{
    public const int HistoryLimit = 10;

    public static WorkloadTemplate TemplateOf(ApplyDeploymentRequest body) => new()
    {
        Image = body.Image!,
        Command = body.Command ?? [],
        Env = body.Env ?? new Dictionary<string, string>(),
        CpuMillis = body.CpuMillis ?? 0,
        MemoryBytes = body.MemoryBytes ?? 0,
        Gpus = body.Gpus ?? 0,
        Ports = body.Ports ?? [],
        NodeSelector = body.NodeSelector ?? new Dictionary<string, string>(),
        Strategy = body.Strategy ?? PlacementStrategyName.Spread,
        Liveness = body.Liveness,
        Readiness = body.Readiness,
        Privileged = body.Privileged ?? false,
        ReadOnlyRootFilesystem = body.ReadOnlyRootFilesystem ?? false,
    };

    /// <summary>
    /// A system deployment's replicas start at 0 (the controller counts its nodes) and it rolls out one node
    /// at a time, old instance out before the new one starts: on the same node both would want the same host ports.
    /// </summary>
    public static DeploymentResource New(string name, string ns, ApplyDeploymentRequest body, WorkloadTemplate template, DateTimeOffset now) => new()
    {
        Name = name,
        Namespace = ns,
        Uid = Guid.NewGuid().ToString("N"),
        Mode = body.Mode ?? DeploymentMode.Replicated,
        Replicas = body.Mode == DeploymentMode.System ? 0 : body.Replicas ?? 1,
        Template = template,
        MaxSurge = body.MaxSurge ?? (body.Mode == DeploymentMode.System ? 0 : 1),
        MaxUnavailable = body.MaxUnavailable ?? (body.Mode == DeploymentMode.System ? 1 : 0),
        ProgressDeadlineSeconds = body.ProgressDeadlineSeconds ?? 120,
        Ingress = body.Ingress,
        Revision = 1,
        History = [new DeploymentRevision { Revision = 1, Template = template, CreatedAt = now }],
        RolloutStatus = RolloutStates.Progressing,
        RolloutMessage = "revision 1: starting",
        RolloutStartedAt = now,
        CreatedAt = now,
    };

    /// <summary>Replicas absent from the request keep their current value, so re-applying a file does not undo a `chas scale`.</summary>
    public static DeploymentResource Apply(DeploymentResource existing, ApplyDeploymentRequest body, WorkloadTemplate template, DateTimeOffset now)
    {
        var updated = existing with
        {
            // A system deployment's count is the controller's; the API refuses replicas for one.
            Replicas = existing.Mode == DeploymentMode.System ? existing.Replicas : body.Replicas ?? existing.Replicas,
            MaxSurge = body.MaxSurge ?? existing.MaxSurge,
            MaxUnavailable = body.MaxUnavailable ?? existing.MaxUnavailable,
            ProgressDeadlineSeconds = body.ProgressDeadlineSeconds ?? existing.ProgressDeadlineSeconds,
            // Routing is not part of the template: changing it re-routes without restarting instances.
            Ingress = body.Ingress ?? existing.Ingress,
        };
        return SameTemplate(existing.Template, template) ? updated : NewRevision(updated, template, now, null);
    }

    public static DeploymentResource NewRevision(DeploymentResource deployment, WorkloadTemplate template, DateTimeOffset now, string? message)
    {
        var revision = deployment.History.Count == 0 ? deployment.Revision + 1 : Math.Max(deployment.Revision, deployment.History.Max(h => h.Revision)) + 1;
        var history = deployment.History.Append(new DeploymentRevision { Revision = revision, Template = template, CreatedAt = now })
            .TakeLast(HistoryLimit).ToList();
        return deployment with
        {
            Template = template,
            Revision = revision,
            History = history,
            RolloutStatus = RolloutStates.Progressing,
            RolloutMessage = message ?? $"revision {revision}: starting",
            RolloutStartedAt = now,
        };
    }

    /// <summary>The most recent revision before the current one whose template differs from it.</summary>
    public static DeploymentRevision? Previous(DeploymentResource deployment) =>
        deployment.History.Where(h => h.Revision < deployment.Revision && !SameTemplate(h.Template, deployment.Template))
            .OrderByDescending(h => h.Revision).FirstOrDefault();

    /// <summary>
    /// Records compare collections by reference; templates are equal when their JSON is, with env and
    /// node selector in key order: the same variables sent in another order are no new revision.
    /// </summary>
    public static bool SameTemplate(WorkloadTemplate a, WorkloadTemplate b) => Canonical(a) == Canonical(b);

    private static string Canonical(WorkloadTemplate t) => System.Text.Json.JsonSerializer.Serialize(t with
    {
        Env = new SortedDictionary<string, string>(t.Env.ToDictionary(), StringComparer.Ordinal),
        NodeSelector = new SortedDictionary<string, string>(t.NodeSelector.ToDictionary(), StringComparer.Ordinal),
    }, ChasJsonContext.Default.WorkloadTemplate);
}
