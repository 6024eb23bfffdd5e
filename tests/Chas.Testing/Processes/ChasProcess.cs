using System.Diagnostics;

namespace Chas.Testing.Processes;

/// <summary>Which `chas` a harness starts and how, for the harnesses that tests and benches share.</summary>
public sealed record ChasProcessOptions
{
    /// <summary>The `chas` executable; null is the checkout's bin/chas (<see cref="RepoPaths.ChasExecutable"/>).</summary>
    public string? Executable { get; init; }

    /// <summary>Every line is also written to stderr (a bench's --verbose).</summary>
    public bool Echo { get; init; }

    /// <summary>Called with each line the process prints.</summary>
    public Action<string>? OnLine { get; init; }

    /// <summary>Environment variables set for the process, beyond the isolating ones of <see cref="ChildEnvironment"/>.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>See <see cref="ChildProcessOptions.StopGrace"/>: null kills it on dispose.</summary>
    public TimeSpan? StopGrace { get; init; }
}

/// <summary>
/// A long-running `chas` command (dev, server, agent, ingress) as a <see cref="ChildProcess"/>: started in the
/// checkout with an environment that never reaches the developer's own configuration or server.
/// </summary>
public static class ChasProcess
{
    public static ChildProcess Start(IEnumerable<string> args, string configPath, OutputLog log, string label, ChasProcessOptions? options = null)
    {
        options ??= new ChasProcessOptions();
        return ChildProcess.Start(label, options.Executable ?? RepoPaths.ChasExecutable, args, log, new ChildProcessOptions
        {
            Echo = options.Echo,
            OnLine = options.OnLine,
            StopGrace = options.StopGrace,
            Configure = info =>
            {
                info.WorkingDirectory = RepoPaths.Root;
                ChildEnvironment.Apply(info, configPath);
                foreach (var (key, value) in options.Environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
            },
        });
    }
}

/// <summary>The environment every `chas` the tests start gets: never the developer's own configuration or server.</summary>
public static class ChildEnvironment
{
    public static void Apply(ProcessStartInfo info, string configPath)
    {
        info.Environment["CHAS_CONFIG"] = configPath;
        info.Environment.Remove("CHAS_SERVER");
        info.Environment.Remove("CHAS_TOKEN");
        info.Environment.Remove("CHAS_NODE_TOKEN");
    }
}
