using System.Globalization;

namespace Chas.Bench.SubmitToRunning;

/// <summary>Command-line knobs. The defaults are the issue's benchmark; the rest exist for investigating.</summary>
internal sealed record BenchOptions
{
    public const string Image = "chas-bench/busybox:latest";
    public static readonly IReadOnlyList<string> Command = ["sleep", "30"];

    /// <summary>Measured submissions per side (bare Docker, CHaS).</summary>
    public int Samples { get; init; } = 50;

    /// <summary>Unmeasured submissions per side before the measured ones (JIT, engine caches, connection pools).</summary>
    public int Warmup { get; init; } = 3;

    /// <summary>The `chas` executable to start as `chas dev`.</summary>
    public required string ChasPath { get; init; }

    /// <summary>Alternate one bare-Docker and one CHaS sample instead of running the two series one after the other.</summary>
    public bool Interleave { get; init; }

    /// <summary>Print every sample and echo the dev process's log.</summary>
    public bool Verbose { get; init; }

    public const string Usage =
        "usage: Chas.Bench.SubmitToRunning [--samples N] [--warmup N] [--chas PATH] [--interleave] [--verbose]";

    /// <summary>Parses <paramref name="args"/>; null (after printing why) when they make no sense.</summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args, TextWriter error)
    {
        int samples = 50, warmup = 3;
        string? chas = null;
        bool interleave = false, verbose = false;
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--samples": samples = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--warmup": warmup = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--chas": chas = Next(); break;
                    case "--interleave": interleave = true; break;
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
        if (samples < 1 || warmup < 0)
        {
            error.WriteLine("error: --samples must be at least 1 and --warmup not negative");
            return null;
        }

        chas ??= FindRepositoryRoot() is { } root ? Path.Combine(root, "bin", "chas") : null;
        if (chas is null || !File.Exists(chas))
        {
            error.WriteLine($"error: the chas executable was not found ({chas ?? "no repository root above the working directory"}); run ./run.sh build or pass --chas PATH");
            return null;
        }
        return new BenchOptions { Samples = samples, Warmup = warmup, ChasPath = Path.GetFullPath(chas), Interleave = interleave, Verbose = verbose };
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
