using System.Globalization;

namespace Chas.Bench.Faults;

/// <summary>
/// issue 19's fault suite, timed: a private PostgreSQL and three `chas server --store` processes on one database,
/// one hollow node heartbeating to whichever server answers. kill -9 the leader during parallel creates (rounds),
/// then restart PostgreSQL under write load; afterwards one list checks that every acknowledged write is there.
/// </summary>
internal static class FaultsBench
{
    public const int Servers = 3;
    private const double LeaderTargetSeconds = 5, ApiTargetSeconds = 5;

    public static async Task<int> RunAsync(FaultsOptions options, Action<string> progress, CancellationToken ct)
    {
        var loadAtStart = Machine.LoadAverage();
        await using var cluster = await HaCluster.StartAsync(Servers, options);
        IReadOnlyList<Uri> Urls() => [.. cluster.Live.Select(s => s.Server.Url)];
        using var api = new AnyServer(Urls, cluster.AdminToken);
        await using var node = await HeartbeatingNode.StartAsync(Urls, cluster.NodeToken, ct);
        progress($"PostgreSQL on port {cluster.Postgres.Port}; {Servers} servers up ({string.Join(", ", Urls())}); hollow node registered");

        var kills = await LeaderKillRounds.RunAsync(cluster, api, options, progress, ct);
        var restart = await PostgresRestart.RunAsync(cluster, api, progress, ct);

        var tasks = await api.UntilAnsweredAsync(c => c.ListTasksAsync(ct: ct), TimeSpan.FromSeconds(60), ct);
        var names = tasks.Items.Select(t => t.Name).ToList();
        var present = names.ToHashSet(StringComparer.Ordinal);
        var duplicateNames = names.Count - present.Count;
        int Lost(WriteLedger ledger) => ledger.Acknowledged.Count(n => !present.Contains(n));

        var o = Console.Out;
        o.WriteLine($"machine: {Machine.Describe(loadAtStart)}");
        o.WriteLine($"cluster: PostgreSQL {cluster.Postgres.Port} (private, fsync off), {Servers} `chas server --store` on one database (lease 5 s, renewed every 1 s), one hollow node");
        o.WriteLine($"leader kills: {options.Rounds} round(s) of {options.Creates} parallel creates (32 at a time, round robin over the live servers, retried elsewhere on failure);");
        o.WriteLine("  the leader is killed (SIGKILL) once a quarter are acknowledged, a probe task is submitted at once, the dead server is started again after the round");
        o.WriteLine();
        var rows = new List<string[]>
        {
            new[] { "fault", "what was checked", "result", "time", "target" },
            Row("kill -9 leader", $"acknowledged creates lost (of {kills.Ledger.Acknowledged.Count})", Count(Lost(kills.Ledger)), "", "0"),
            Row("", $"duplicated tasks (names listed twice) / steady deployment above {LeaderKillRounds.SteadyReplicas}", $"{duplicateNames} / {kills.SteadyExcess}", "", "0"),
            Row("", "commits whose answer was lost (409 on retry)", kills.Ledger.CommittedUnanswered.Count.ToString(CultureInfo.InvariantCulture), "", "-"),
            Row("", "creates given up after 60 s of retries", Count(kills.Ledger.GaveUp), "", "0"),
            Row("", $"new leader elected (p50 / max of {kills.ElectedAfterKill.Count})", "", P50Max(kills.ElectedAfterKill), "-"),
            Row("", $"new leader schedules: probe bound after the kill (p50 / max of {kills.ScheduledAfterKill.Count})",
                kills.ProbesUnbound == 0 ? Verdict(kills.ScheduledAfterKill.Max() <= LeaderTargetSeconds) : $"{kills.ProbesUnbound} unbound",
                P50Max(kills.ScheduledAfterKill), $"<= {LeaderTargetSeconds:0} s"),
            Row("restart PostgreSQL", $"acknowledged creates lost (of {restart.Ledger.Acknowledged.Count})", Count(Lost(restart.Ledger)), "", "0"),
            Row("", "commits whose answer was lost (409 on retry) / creates given up", $"{restart.Ledger.CommittedUnanswered.Count} / {restart.Ledger.GaveUp}", "", "-"),
            Row("", "database down (stop until it accepts connections)", "", Seconds(restart.DatabaseDownSeconds), "-"),
            Row("", "API acknowledges writes again, after the database is up",
                Verdict(restart.ApiBackSeconds <= ApiTargetSeconds), Seconds(restart.ApiBackSeconds), $"<= {ApiTargetSeconds:0} s"),
            Row("", "a task submitted then is bound, after the database is up", "", Seconds(restart.SchedulingBackSeconds), "-"),
        };
        var widths = Enumerable.Range(0, 5).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows) o.WriteLine(string.Join(" | ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        o.WriteLine();
        string Each(IEnumerable<double> seconds) => string.Join(' ', seconds.Select(s => s.ToString("0.00", CultureInfo.InvariantCulture).PadLeft(5)));
        o.WriteLine($"per round, seconds from the kill until a new leader was elected: {Each(kills.ElectedAfterKill)}");
        o.WriteLine($"                                      until the probe was bound: {Each(kills.ScheduledAfterKill)}");
        o.WriteLine($"retries while servers were away: {kills.Ledger.Retries} during the kills, {restart.Ledger.Retries} during the database restart");
        return 0;
    }

    private static string[] Row(string fault, string check, string result, string time, string target) => [fault, check, result, time, target];

    private static string Count(int n) => n == 0 ? "0 met" : $"{n} MISSED";

    private static string Verdict(bool met) => met ? "met" : "MISSED";

    private static string Seconds(double s) => double.IsNaN(s) ? "never" : string.Create(CultureInfo.InvariantCulture, $"{s:0.00} s");

    private static string P50Max(IReadOnlyList<double> samples)
    {
        List<double> found = [.. samples.Where(s => !double.IsNaN(s))];
        return found.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{Percentiles.Of(found, 0.5):0.00} / {found.Max():0.00} s");
    }
}
