namespace Chas.Contracts;

/// <summary>Checks shared by tasks and deployments: GPUs, selectors, probes.</summary>
public static partial class Validate
{
    public const int MaxGpus = 64;
    public const int MaxReplicas = 10_000;

    public static void Gpus(ValidationErrors errors, int? count, IReadOnlyList<int>? indices)
    {
        if (count is < 0 or > MaxGpus) errors.Add("gpus", $"must be between 0 and {MaxGpus}");
        if (indices is null) return;
        if (indices.Count > MaxGpus) errors.Add("gpuIndices", $"has more than {MaxGpus} entries");
        if (indices.Any(i => i < 0)) errors.Add("gpuIndices", "must not be negative");
        if (indices.Distinct().Count() != indices.Count) errors.Add("gpuIndices", "names a GPU twice");
    }

    public static void NodeSelector(ValidationErrors errors, IReadOnlyDictionary<string, string>? selector) =>
        Labels(errors, "nodeSelector", selector);

    /// <summary>A node's labels and a workload's selector of them follow the same rules, so that any label can be selected.</summary>
    public static void Labels(ValidationErrors errors, string field, IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null) return;
        foreach (var (key, value) in labels)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Length > 253) errors.Add(field, $"'{key}' is not a valid label key");
            else if (value is null || value.Length > 253) errors.Add($"{field}.{key}", "must be a string of at most 253 characters");
        }
    }

    public static void Probe(ValidationErrors errors, string field, ProbeSpec? probe, IReadOnlyList<PortMapping>? ports)
    {
        if (probe is null) return;
        switch (probe.Type)
        {
            case ProbeType.Http or ProbeType.Tcp:
                if (probe.Port is not { } port) errors.Add($"{field}.port", "is required for http and tcp probes");
                else if (ports is null || ports.All(p => p is null || p.ContainerPort != port))
                    errors.Add($"{field}.port", $"{port} is not one of the published ports (probes reach the container through its published port)");
                if (probe.Type == ProbeType.Http && probe.Path is { } path && !path.StartsWith('/')) errors.Add($"{field}.path", "must start with '/'");
                break;
            case ProbeType.Exec:
                if (probe.Command is not { Count: > 0 } command || command.Any(string.IsNullOrEmpty)) errors.Add($"{field}.command", "is required for exec probes");
                break;
        }
        if (probe.PeriodSeconds is <= 0 or > 3600) errors.Add($"{field}.periodSeconds", "must be between 0 and 3600");
        if (probe.TimeoutSeconds is <= 0 or > 3600) errors.Add($"{field}.timeoutSeconds", "must be between 0 and 3600");
        if (probe.InitialDelaySeconds is < 0 or > 86400) errors.Add($"{field}.initialDelaySeconds", "must be between 0 and 86400");
        if (probe.FailureThreshold is < 1 or > 1000) errors.Add($"{field}.failureThreshold", "must be between 1 and 1000");
        if (probe.SuccessThreshold is < 1 or > 1000) errors.Add($"{field}.successThreshold", "must be between 1 and 1000");
    }

    public static ValidationErrors Deployment(ApplyDeploymentRequest request)
    {
        // The template checks are the task checks: reuse them on an equivalent task request.
        var errors = Task(new CreateTaskRequest
        {
            Name = request.Name, Namespace = request.Namespace, Image = request.Image, Command = request.Command, Env = request.Env,
            CpuMillis = request.CpuMillis, MemoryBytes = request.MemoryBytes, Ports = request.Ports, Gpus = request.Gpus,
            NodeSelector = request.NodeSelector,
        });
        if (request.Replicas is < 0 or > MaxReplicas) errors.Add("replicas", $"must be between 0 and {MaxReplicas}");
        if (request.Mode == DeploymentMode.System && request.Replicas is not null) errors.Add("replicas", SystemReplicas);
        if (request.MaxSurge is < 0 or > MaxReplicas) errors.Add("maxSurge", "must not be negative");
        if (request.MaxUnavailable is < 0 or > MaxReplicas) errors.Add("maxUnavailable", "must not be negative");
        // Left out, they default to surge 1 (replicated) or unavailable 1 (system): only an explicit 0 for both stalls.
        var system = request.Mode == DeploymentMode.System;
        if (system ? request.MaxUnavailable == 0 && request.MaxSurge is null or 0 : request.MaxSurge == 0 && request.MaxUnavailable is null or 0)
            errors.Add(system ? "maxUnavailable" : "maxSurge", "maxSurge and maxUnavailable cannot both be 0: a rollout could never make progress");
        if (request.ProgressDeadlineSeconds is <= 0 or > 86400) errors.Add("progressDeadlineSeconds", "must be between 0 and 86400");
        Ingress(errors, request.Ingress, request.Ports);
        Probe(errors, "liveness", request.Liveness, request.Ports);
        Probe(errors, "readiness", request.Readiness, request.Ports);
        return errors;
    }

    /// <summary>Why a system deployment takes no replica count: DaemonSets have no such field either.</summary>
    public const string SystemReplicas = "a system deployment runs one instance on every matching node: leave replicas out (select nodes with nodeSelector)";

    public static void Ingress(ValidationErrors errors, IngressSpec? ingress, IReadOnlyList<PortMapping>? ports)
    {
        if (ingress is null) return;
        if (!LoadBalancingPolicies.All.Contains(ingress.LoadBalancing))
            errors.Add("ingress.loadBalancing", $"'{ingress.LoadBalancing}' is not one of {string.Join(", ", LoadBalancingPolicies.All)}");
        if (ingress.Weight is < 0 or > 1_000_000) errors.Add("ingress.weight", "must be between 0 and 1000000");
        if (ingress.Port is { } port && (ports is null || ports.All(p => p is null || p.ContainerPort != port)))
            errors.Add("ingress.port", $"{port} is not one of the published ports");
        for (var i = 0; i < ingress.Hosts.Count; i++)
        {
            var host = ingress.Hosts[i];
            if (string.IsNullOrWhiteSpace(host) || !IngressNames.IsValidHost(host.ToLowerInvariant()))
                errors.Add($"ingress.hosts[{i}]", $"'{host}' is not a host name (letters, digits and '-' in dot-separated labels; '*.' or '*' for any)");
        }
        for (var i = 0; i < ingress.Paths.Count; i++)
        {
            if (ingress.Paths[i] is not { Length: > 0 } path || IngressNames.NormalizePrefix(path) is null)
                errors.Add($"ingress.paths[{i}]", "must be a path prefix: '/' and literal segments (no '*', '{', '%' or '..')");
        }
    }

    public static void Scale(ValidationErrors errors, int? replicas)
    {
        if (replicas is null) errors.Add("replicas", "is required");
        else if (replicas is < 0 or > MaxReplicas) errors.Add("replicas", $"must be between 0 and {MaxReplicas}");
    }
}
