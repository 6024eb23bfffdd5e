using System.Globalization;

namespace Chas.Bench.Faults;

internal enum FaultsMode { Faults, StoreLatency }

/// <summary>Command-line knobs; the defaults are issue 19's benchmarks, the rest exist to shorten a run.</summary>
internal sealed record FaultsOptions
{
    public required FaultsMode Mode { get; init; }

    /// <summary>faults: leader kills (each with its parallel creates and a probe task).</summary>
    public int Rounds { get; init; } = 10;

    /// <summary>faults: parallel acknowledged creates in each kill round.</summary>
    public int Creates { get; init; } = 1000;

    /// <summary>store-latency: how long the 20 writes/s churn runs on each engine.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>store-latency: pending tasks the list returns.</summary>
    public int Objects { get; init; } = 10_000;

    /// <summary>store-latency: how many times the list is timed.</summary>
    public int Lists { get; init; } = 5;

    public required string ChasPath { get; init; }

    /// <summary>Echo the servers' logs.</summary>
    public bool Verbose { get; init; }

    public const string Usage =
        "usage: Chas.Bench.Faults faults [--rounds N] [--creates N] [--chas PATH] [--verbose]\n" +
        "       Chas.Bench.Faults store-latency [--duration S] [--objects N] [--lists N] [--chas PATH] [--verbose]";

    /// <summary>Parses <paramref name="args"/>; null (after printing why) when they make no sense.</summary>
    public static FaultsOptions? Parse(IReadOnlyList<string> args, TextWriter error)
    {
        FaultsMode mode;
        switch (args.Count > 0 ? args[0] : "")
        {
            case "faults": mode = FaultsMode.Faults; break;
            case "store-latency": mode = FaultsMode.StoreLatency; break;
            default: error.WriteLine(Usage); return null;
        }
        var faults = mode == FaultsMode.Faults;
        int rounds = 10, creates = 1000, duration = 30, objects = 10_000, lists = 5;
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
                    case "--rounds" when faults: rounds = NextInt(); break;
                    case "--creates" when faults: creates = NextInt(); break;
                    case "--duration" when !faults: duration = NextInt(); break;
                    case "--objects" when !faults: objects = NextInt(); break;
                    case "--lists" when !faults: lists = NextInt(); break;
                    case "--chas": chas = Next(); break;
                    case "--verbose": verbose = true; break;
                    default: error.WriteLine($"unknown argument '{args[i]}'\n{Usage}"); return null;
                }
            }
            catch (FormatException ex)
            {
                error.WriteLine($"{ex.Message}\n{Usage}");
                return null;
            }
        }
        if (rounds < 1 || creates < 1 || duration < 1 || objects < 1 || lists < 1)
        {
            error.WriteLine($"every count and duration must be at least 1\n{Usage}");
            return null;
        }
        return new FaultsOptions
        {
            Mode = mode, Rounds = rounds, Creates = creates, Duration = TimeSpan.FromSeconds(duration), Objects = objects, Lists = lists,
            ChasPath = Path.GetFullPath(chas ?? RepoPaths.ChasExecutable), Verbose = verbose,
        };
    }
}
