using System.Globalization;
using Chas.Contracts;

namespace Chas.Cli;

/// <summary>
/// Parses the values of the flags `chas run` and `chas deploy` share. Each failure is a
/// <see cref="CliException"/> naming the flag and the value, e.g. "--memory: 'lots' is not a memory amount".
/// </summary>
internal static class WorkloadFlags
{
    public static Dictionary<string, string> Env(IEnumerable<string> pairs) => Pairs(pairs, "--env", "K=V");

    public static Dictionary<string, string> NodeSelector(IEnumerable<string> pairs) => Pairs(pairs, "--node-selector", "key=value");

    public static long? Cpu(string? text) => text is null ? null
        : Quantity.TryParseCpuMillis(text, out var millis) ? millis
        : throw new CliException($"--cpu: '{text}' is not a CPU amount (use 0.5 or 500m)");

    public static long? Memory(string? text) => text is null ? null
        : Quantity.TryParseMemory(text, out var bytes) ? bytes
        : throw new CliException($"--memory: '{text}' is not a memory amount (use 256Mi or 1Gi)");

    public static PlacementStrategyName? Strategy(string? text, string option = "--strategy") => text?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "spread" => PlacementStrategyName.Spread,
        "binpack" => PlacementStrategyName.Binpack,
        _ => throw new CliException($"{option}: '{text}' is not a placement strategy (use spread or binpack)"),
    };

    public static DeploymentMode? Mode(string? text, string option = "--mode") => text?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "replicated" => DeploymentMode.Replicated,
        "system" => DeploymentMode.System,
        _ => throw new CliException($"{option}: '{text}' is not a deployment mode (use replicated, or system for one instance on every matching node)"),
    };

    public static RestartPolicy? Restart(string? text, string option = "--restart") => text?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "never" => RestartPolicy.Never,
        "on-failure" => RestartPolicy.OnFailure,
        "always" => RestartPolicy.Always,
        _ => throw new CliException($"{option}: '{text}' is not a restart policy (use never, on-failure or always)"),
    };

    /// <summary>"0,2" → [0, 2].</summary>
    public static IReadOnlyList<int>? GpuIndices(string? text)
    {
        if (text is null) return null;
        var indices = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                throw new CliException($"--gpu-indices: '{text}' is not a list of GPU indices (use e.g. 0,2)");
            indices.Add(index);
        }
        return indices.Count > 0 ? indices : throw new CliException("--gpu-indices: give at least one GPU index (e.g. 0,2)");
    }

    /// <summary>`PORT[/tcp|udp]` for `chas deploy --port`: the scheduler picks each instance's host port.</summary>
    public static PortMapping ContainerPort(string text) =>
        Quantity.TryParsePort(text, out var mapping) && mapping.HostPort is null
            ? mapping
            : throw new CliException($"--port: '{text}' is not CONTAINERPORT[/tcp|udp] (the host port is chosen per instance)");

    private static Dictionary<string, string> Pairs(IEnumerable<string> pairs, string option, string form)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new CliException($"{option}: '{pair}' is not {form}");
            result[pair[..eq]] = pair[(eq + 1)..];
        }
        return result;
    }
}
