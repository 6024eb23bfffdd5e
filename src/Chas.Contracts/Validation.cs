using System.Text.RegularExpressions;

namespace Chas.Contracts;

/// <summary>
/// Field errors keyed by the JSON path of the offending field (camelCase), as RFC 9457 problem
/// documents carry them in `errors`.
/// </summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    public IDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>One readable line: "image: must not be empty; name: ...".</summary>
    public override string ToString() =>
        string.Join("; ", _errors.Select(kv => $"{kv.Key}: {string.Join(", ", kv.Value)}"));
}

public static partial class Validate
{
    /// <summary>Upper bounds that stop absurd requests before they reach a scheduler.</summary>
    public const long MaxCpuMillis = 1024 * 1000;          // 1024 cores
    public const long MaxMemoryBytes = 64L << 40;          // 64 TiB
    public const int MaxCommandArgs = 1024;
    public const int MaxEnvVars = 1024;
    public const int MaxStringLength = 64 * 1024;
    public const int MaxImageLength = 512;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123LabelRegex();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvNameRegex();

    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9._\-/:@]*$")]
    private static partial Regex ImageRegex();

    public static bool IsDns1123Label(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 63 && Dns1123LabelRegex().IsMatch(value);

    public static void Name(ValidationErrors errors, string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
            errors.Add(field, "is required");
        else if (!IsDns1123Label(value))
            errors.Add(field, $"'{Truncate(value)}' is not a valid name: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit");
    }

    public static ValidationErrors Task(CreateTaskRequest request)
    {
        var errors = new ValidationErrors();
        Name(errors, "name", request.Name);
        if (request.Namespace is not null) Name(errors, "namespace", request.Namespace);

        if (string.IsNullOrWhiteSpace(request.Image))
            errors.Add("image", "must not be empty");
        else if (request.Image.Length > MaxImageLength || !ImageRegex().IsMatch(request.Image))
            errors.Add("image", $"'{Truncate(request.Image)}' is not a valid image reference");

        if (request.Command is { } command)
        {
            if (command.Count > MaxCommandArgs) errors.Add("command", $"has more than {MaxCommandArgs} arguments");
            for (var i = 0; i < command.Count; i++)
            {
                if (command[i] is null) errors.Add($"command[{i}]", "must not be null");
                else if (command[i].Length > MaxStringLength) errors.Add($"command[{i}]", "is too long");
                else if (command[i].Contains('\0')) errors.Add($"command[{i}]", "must not contain NUL");
            }
        }

        if (request.Env is { } env)
        {
            if (env.Count > MaxEnvVars) errors.Add("env", $"has more than {MaxEnvVars} variables");
            foreach (var (key, value) in env)
            {
                if (!EnvNameRegex().IsMatch(key) || key.Length > 256) errors.Add($"env.{Truncate(key, 40)}", "is not a valid variable name");
                else if (value is null) errors.Add($"env.{key}", "must not be null");
                else if (value.Length > MaxStringLength || value.Contains('\0')) errors.Add($"env.{key}", "is too long or contains NUL");
            }
        }

        if (request.CpuMillis is { } cpu && (cpu < 0 || cpu > MaxCpuMillis))
            errors.Add("cpuMillis", $"must be between 0 and {MaxCpuMillis} (1024 cores)");
        if (request.MemoryBytes is { } memory && (memory < 0 || memory > MaxMemoryBytes))
            errors.Add("memoryBytes", "must be between 0 and 64Ti");
        if (request.MemoryBytes is > 0 and < 6L << 20)
            errors.Add("memoryBytes", "must be at least 6Mi (the Docker engine's minimum), or 0 for no limit");

        if (request.Ports is { } ports)
        {
            var seen = new HashSet<(int, string)>();
            for (var i = 0; i < ports.Count; i++)
            {
                var port = ports[i];
                if (port is null) { errors.Add($"ports[{i}]", "must not be null"); continue; }
                if (port.ContainerPort is < 1 or > 65535) errors.Add($"ports[{i}].containerPort", "must be between 1 and 65535");
                if (port.HostPort is { } hp && hp is < 1 or > 65535) errors.Add($"ports[{i}].hostPort", "must be between 1 and 65535");
                if (port.Protocol is not ("tcp" or "udp")) errors.Add($"ports[{i}].protocol", "must be 'tcp' or 'udp'");
                if (!seen.Add((port.ContainerPort, port.Protocol))) errors.Add($"ports[{i}]", "publishes the same container port twice");
            }
        }
        Gpus(errors, request.Gpus, request.GpuIndices);
        NodeSelector(errors, request.NodeSelector);
        if (request.MaxRestarts is < 0) errors.Add("maxRestarts", "must not be negative");
        if (request.MaxRestarts is not null && request.RestartPolicy is not Contracts.RestartPolicy.OnFailure)
            errors.Add("maxRestarts", "only applies with restartPolicy 'on-failure'");
        return errors;
    }

    public static ValidationErrors Node(RegisterNodeRequest request)
    {
        var errors = new ValidationErrors();
        Name(errors, "name", request.Name);
        if (string.IsNullOrWhiteSpace(request.Address)) errors.Add("address", "is required");
        // The server calls this URL for logs, exec and stats: anything but http(s) would fail there, on every such call.
        if (string.IsNullOrWhiteSpace(request.AgentUrl) || !Uri.TryCreate(request.AgentUrl, UriKind.Absolute, out var agentUrl)
            || agentUrl.Scheme is not ("http" or "https"))
            errors.Add("agentUrl", "must be an absolute http or https URL");
        if (request.Capacity is null) errors.Add("capacity", "is required");
        else
        {
            if (request.Capacity.CpuMillis is <= 0 or > MaxCpuMillis) errors.Add("capacity.cpuMillis", "must be positive");
            if (request.Capacity.MemoryBytes is <= 0 or > MaxMemoryBytes) errors.Add("capacity.memoryBytes", "must be positive");
        }
        if (request.Reserved is { } reserved)
        {
            if (reserved.CpuMillis < 0 || reserved.MemoryBytes < 0) errors.Add("reserved", "must not be negative");
            else if (request.Capacity is { } capacity && (reserved.CpuMillis > capacity.CpuMillis || reserved.MemoryBytes > capacity.MemoryBytes))
                errors.Add("reserved", "must not exceed the capacity");
        }
        if (request.Gpus is { } gpus)
        {
            for (var i = 0; i < gpus.Count; i++)
            {
                if (gpus[i] is null) errors.Add($"gpus[{i}]", "must not be null");
                else if (gpus[i].Index is < 0) errors.Add($"gpus[{i}].index", "must not be negative");
            }
            if (gpus.Where(g => g is not null).Select(g => g.Index).Distinct().Count() != gpus.Count(g => g is not null))
                errors.Add("gpus", "lists a GPU index twice");
        }
        Labels(errors, "labels", request.Labels);
        if (request.PortRange is { } range && (range.From < 1 || range.To > 65535 || range.From > range.To))
            errors.Add("portRange", "must be LO-HI with 1 <= LO <= HI <= 65535");
        return errors;
    }

    private static string Truncate(string value, int max = 80) => value.Length <= max ? value : value[..max] + "…";
}
