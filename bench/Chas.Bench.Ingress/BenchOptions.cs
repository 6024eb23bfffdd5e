using System.Globalization;

namespace Chas.Bench.Ingress;

/// <summary>Command-line knobs. The defaults are the issue's benchmark; the rest exist for investigating.</summary>
internal sealed record BenchOptions
{
    /// <summary>wrk's threads (-t) and connections (-c): the same for every target.</summary>
    public int Threads { get; init; } = 2;
    public int Connections { get; init; } = 32;

    /// <summary>Each measurement (wrk -d).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The warm-up run (discarded) before a target's first measurement: long enough for the JIT to finish tiering the
    /// CHaS ingress up on a busy machine, as it has in a long-running one. Later measurements get <see cref="Rewarm"/>.
    /// </summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Rewarm => Warmup < TimeSpan.FromSeconds(2) ? Warmup : TimeSpan.FromSeconds(2);

    /// <summary>Rounds of direct, nginx, chas in turn; the verdict uses each target's median over the rounds.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>The `chas` executable (started as `chas server` and `chas ingress`), wrk and nginx.</summary>
    public required string ChasPath { get; init; }
    public required string WrkPath { get; init; }
    public required string NginxPath { get; init; }

    /// <summary>Environment variables for the `chas ingress` process only (e.g. DOTNET_gcServer=1), for investigating.</summary>
    public IReadOnlyDictionary<string, string> IngressEnv { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Another `chas` build measured as a fourth target, "chas-b", in the same rounds (with its own server), and its
    /// ingress's environment: an A/B comparison of two builds or two settings that the machine's drift cannot skew.
    /// </summary>
    public string? ComparePath { get; init; }
    public IReadOnlyDictionary<string, string> CompareEnv { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Echo the children's logs and wrk's own output.</summary>
    public bool Verbose { get; init; }

    public const string Usage =
        "usage: Chas.Bench.Ingress [--rounds 3] [--duration S] [--warmup S] [--threads N] [--connections N]\n" +
        "                          [--chas PATH] [--wrk PATH] [--nginx PATH] [--ingress-env NAME=VALUE]...\n" +
        "                          [--compare PATH [--compare-env NAME=VALUE]...] [--verbose]";

    /// <summary>Parses <paramref name="args"/>; null (after printing why) when they make no sense or a tool is missing.</summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args, TextWriter error)
    {
        int threads = 2, connections = 32, duration = 10, warmup = 10, rounds = 3;
        string? chas = null, wrk = null, nginx = null;
        var verbose = false;
        var ingressEnv = new Dictionary<string, string>(StringComparer.Ordinal);
        var compareEnv = new Dictionary<string, string>(StringComparer.Ordinal);
        string? compare = null;
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            try
            {
                switch (args[i])
                {
                    case "--threads": threads = NextInt(); break;
                    case "--connections": connections = NextInt(); break;
                    case "--duration": duration = NextInt(); break;
                    case "--warmup": warmup = NextInt(); break;
                    case "--rounds": rounds = NextInt(); break;
                    case "--chas": chas = Next(); break;
                    case "--wrk": wrk = Next(); break;
                    case "--nginx": nginx = Next(); break;
                    case "--ingress-env": AddPair(ingressEnv, args[i], Next()); break;
                    case "--compare": compare = Next(); break;
                    case "--compare-env": AddPair(compareEnv, args[i], Next()); break;
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
        if (threads < 1 || connections < threads || duration < 1 || warmup < 0 || rounds < 1)
        {
            error.WriteLine("error: --threads, --duration and --rounds must be positive, --connections at least --threads, --warmup not negative");
            return null;
        }

        chas ??= FindRepositoryRoot() is { } root ? Path.Combine(root, "bin", "chas") : null;
        if (chas is null || !File.Exists(chas))
        {
            error.WriteLine($"error: the chas executable was not found ({chas ?? "no repository root above the working directory"}); run ./run.sh build or pass --chas PATH");
            return null;
        }
        if (compare is not null && !File.Exists(compare))
        {
            error.WriteLine($"error: --compare: {compare} does not exist");
            return null;
        }
        wrk ??= FindOnPath("wrk");
        nginx ??= FindOnPath("nginx", "/usr/sbin");
        if (wrk is null || nginx is null)
        {
            error.WriteLine($"error: {(wrk is null ? "wrk" : "nginx")} was not found; install it (apt-get install wrk nginx, or bench/ingress/ensure-tools.sh) or pass its path");
            return null;
        }
        return new BenchOptions
        {
            Threads = threads, Connections = connections, Duration = TimeSpan.FromSeconds(duration), Warmup = TimeSpan.FromSeconds(warmup),
            Rounds = rounds, ChasPath = Path.GetFullPath(chas), WrkPath = wrk, NginxPath = nginx, IngressEnv = ingressEnv,
            ComparePath = compare is null ? null : Path.GetFullPath(compare), CompareEnv = compareEnv, Verbose = verbose,
        };
    }

    private static void AddPair(Dictionary<string, string> into, string option, string pair)
    {
        var eq = pair.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0) throw new FormatException($"{option}: '{pair}' is not NAME=VALUE");
        into[pair[..eq]] = pair[(eq + 1)..];
    }

    /// <summary>The first executable named <paramref name="name"/> on PATH, then in <paramref name="extra"/> (nginx lives in /usr/sbin).</summary>
    private static string? FindOnPath(string name, params string[] extra) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(extra)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

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
