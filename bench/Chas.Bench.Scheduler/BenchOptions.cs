using System.Globalization;

namespace Chas.Bench.Scheduler;

internal enum BenchMode { Scheduler, NodeLoss }

/// <summary>Command-line knobs. The defaults are the issue's benchmarks; the rest exist for investigating.</summary>
internal sealed record BenchOptions
{
    public required BenchMode Mode { get; init; }

    /// <summary>Hollow nodes: 5,000 for scheduler, 3 for node-loss.</summary>
    public required int Nodes { get; init; }

    /// <summary>Deployment instances in all: 50,000 for scheduler; the replicas of the one deployment for node-loss (30).</summary>
    public required int Instances { get; init; }

    /// <summary>Replicas per deployment in scheduler mode (the instances are split into deployments of this size).</summary>
    public int ReplicasPerDeployment { get; init; } = 500;

    /// <summary>Give up waiting for the binds (or the replacements) after this long, and report what was reached.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The `chas` executable to start as `chas server`.</summary>
    public required string ChasPath { get; init; }

    /// <summary>Echo the server's log and print progress every second.</summary>
    public bool Verbose { get; init; }

    public const string Usage =
        "usage: Chas.Bench.Scheduler scheduler [--nodes N] [--instances N] [--per-deployment N] [--timeout S] [--chas PATH] [--verbose]\n" +
        "       Chas.Bench.Scheduler node-loss [--nodes N] [--replicas N] [--timeout S] [--chas PATH] [--verbose]";

    /// <summary>Parses <paramref name="args"/>; null (after printing why) when they make no sense.</summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args, TextWriter error)
    {
        BenchMode mode;
        switch (args.Count > 0 ? args[0] : "")
        {
            case "scheduler": mode = BenchMode.Scheduler; break;
            case "node-loss": mode = BenchMode.NodeLoss; break;
            default: error.WriteLine(Usage); return null;
        }
        var scheduler = mode == BenchMode.Scheduler;
        int nodes = scheduler ? 5000 : 3, instances = scheduler ? 50_000 : 30, perDeployment = 500, timeout = 600;
        string? chas = null;
        var verbose = false;
        for (var i = 1; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            try
            {
                switch (args[i])
                {
                    case "--nodes": nodes = NextInt(); break;
                    case "--instances" when scheduler: instances = NextInt(); break;
                    case "--replicas" when !scheduler: instances = NextInt(); break;
                    case "--per-deployment" when scheduler: perDeployment = NextInt(); break;
                    case "--timeout": timeout = NextInt(); break;
                    case "--chas": chas = Next(); break;
                    case "--verbose" or "-v": verbose = true; break;
                    case "--help" or "-h": error.WriteLine(Usage); return null;
                    default: throw new FormatException($"unknown argument '{args[i]}'");
                }
            }
            catch (FormatException ex)
            {
                error.WriteLine($"error: {ex.Message}");
                error.WriteLine(Usage);
                return null;
            }
        }
        if (nodes < (scheduler ? 1 : 2) || instances < 1 || perDeployment < 1 || timeout < 1)
        {
            error.WriteLine($"error: --nodes must be at least {(scheduler ? 1 : 2)}; the counts and --timeout must be positive");
            return null;
        }

        chas ??= FindRepositoryRoot() is { } root ? Path.Combine(root, "bin", "chas") : null;
        if (chas is null || !File.Exists(chas))
        {
            error.WriteLine($"error: the chas executable was not found ({chas ?? "no repository root above the working directory"}); run ./run.sh build or pass --chas PATH");
            return null;
        }
        return new BenchOptions
        {
            Mode = mode, Nodes = nodes, Instances = instances, ReplicasPerDeployment = perDeployment,
            Timeout = TimeSpan.FromSeconds(timeout), ChasPath = Path.GetFullPath(chas), Verbose = verbose,
        };
    }

    /// <summary>The checkout this benchmark belongs to: the first directory holding chas.slnx, from the working directory or the binary up.</summary>
    private static string? FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "chas.slnx"))) return dir.FullName;
            }
        }
        return null;
    }
}
