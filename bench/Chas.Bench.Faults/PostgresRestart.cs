using System.Diagnostics;

namespace Chas.Bench.Faults;

/// <summary>What restarting PostgreSQL under write load measured.</summary>
internal sealed record PostgresRestartResult
{
    public required WriteLedger Ledger { get; init; }
    /// <summary>From the stop command until PostgreSQL accepted connections again.</summary>
    public required double DatabaseDownSeconds { get; init; }
    /// <summary>From PostgreSQL accepting connections until the API acknowledged a write again (NaN: never).</summary>
    public required double ApiBackSeconds { get; init; }
    /// <summary>From PostgreSQL accepting connections until a task submitted then was bound (NaN: not within the deadline).</summary>
    public required double SchedulingBackSeconds { get; init; }
}

/// <summary>
/// Writers create tasks on all servers without pause; PostgreSQL is stopped (fast shutdown: every connection is
/// cut) and started again; the writers go on until the API acknowledges writes again and 2 s more.
/// </summary>
internal static class PostgresRestart
{
    private const int Writers = 8;
    private static readonly TimeSpan Before = TimeSpan.FromSeconds(2), After = TimeSpan.FromSeconds(2), Deadline = TimeSpan.FromSeconds(60);

    public static async Task<PostgresRestartResult> RunAsync(HaCluster cluster, AnyServer api, Action<string> progress, CancellationToken ct)
    {
        var ledger = new WriteLedger();
        using var stopWriters = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var next = 0;
        var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            while (!stopWriters.IsCancellationRequested)
            {
                var name = $"pg-{Interlocked.Increment(ref next):D6}";
                try
                {
                    // Each name is tried until it is answered, so an unanswered commit shows up as a 409 on its retry.
                    await ledger.CreateAsync(api, LeaderKillRounds.BoundTask(name), Deadline, stopWriters.Token);
                }
                catch (OperationCanceledException) when (stopWriters.IsCancellationRequested)
                {
                    return;
                }
            }
        })).ToList();

        await Task.Delay(Before, ct);
        var stopping = Stopwatch.GetTimestamp();
        await cluster.Postgres.StopAsync();
        await cluster.Postgres.StartAgainAsync();
        var up = Stopwatch.GetTimestamp();
        progress($"PostgreSQL restarted in {Stopwatch.GetElapsedTime(stopping, up).TotalSeconds:0.00} s; waiting for the API to acknowledge writes");

        var apiBack = double.NaN;
        var until = up + (long)(Deadline.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            var firstAfter = ledger.AckTimes.Where(t => t > up).DefaultIfEmpty(long.MaxValue).Min();
            if (firstAfter != long.MaxValue)
            {
                apiBack = Stopwatch.GetElapsedTime(up, firstAfter).TotalSeconds;
                break;
            }
            await Task.Delay(10, ct);
        }
        var probe = "probe-pg";
        await ledger.CreateAsync(api, LeaderKillRounds.BoundTask(probe), Deadline, ct);
        var scheduling = await LeaderKillRounds.WaitBoundAsync(api, probe, ct) ? Stopwatch.GetElapsedTime(up).TotalSeconds : double.NaN;

        await Task.Delay(After, ct);
        await stopWriters.CancelAsync();
        await Task.WhenAll(writers);
        return new PostgresRestartResult
        {
            Ledger = ledger, DatabaseDownSeconds = Stopwatch.GetElapsedTime(stopping, up).TotalSeconds, ApiBackSeconds = apiBack, SchedulingBackSeconds = scheduling,
        };
    }
}
